"""Certificates anyone can verify. When a grade is locked, what it says (scheme and version, the scores, the
tier, n, the SHA-256 of the counted response ids, the audit checkpoint, the certificate's number, scope, dates
and body) is canonicalised (RFC 8785, the `rfc8785` package), hashed with SHA-256 and signed with the body's
Ed25519 key as a compact JWS (RFC 7515, `alg: EdDSA`). The certificate's status (valid, suspended,
withdrawn), which may change after issue, is a separate signed statement: suspending never re-signs the
snapshot. The public keys, old ones included, are the JWK Set at /.well-known/jwks.json; docs/certificates.md
shows how to check a document with a few lines of Python and `cryptography` alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import rfc8785

from survey_app.keyring import Keyring, VerifyingKey, b64url, unb64url
from survey_app.models import Campaign, GradeSnapshot

MEDIA_TYPE = "application/jose"
SNAPSHOT_TYPE = "mingcha-grade-snapshot"
STATUS_TYPE = "mingcha-certificate-status"


class JwsError(ValueError):
    """A text that is not a compact JWS we can read (malformed, another algorithm, no key id)."""


def _date(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%d")


def _instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        (moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        .astimezone(UTC)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def result_part(result: dict[str, Any]) -> dict[str, Any]:
    """What a snapshot records of a grade result: the outcome, the tier and every score (decimals as text)."""
    return {
        "status": result.get("status"),
        "tier": result.get("tier"),
        "tier_label": result.get("tier_label"),
        "total": _text(result.get("total")),
        "total_max": _text(result.get("total_max")),
        "bonus": _text(result.get("bonus")),
        "components": [
            {
                "id": c["id"],
                "score": _text(c.get("score")),
                "max": _text(c.get("max")),
                "pass_mark": _text(c.get("pass_mark")),
                "passed": bool(c.get("passed")),
                "n": int(c.get("n") or 0),
                "dimensions": [
                    {"id": d["id"], "score": _text(d.get("score")), "n": int(d.get("n") or 0)}
                    for d in c.get("dimensions", [])
                ],
            }
            for c in result.get("components", [])
        ],
    }


def snapshot_document(
    *,
    snapshot: GradeSnapshot,
    campaign: Campaign,
    result: dict[str, Any],
    counted_sha256: str,
    counted: int,
    visits: list[int],
) -> dict[str, Any]:
    """The locked grade as the signed document states it (every value is text, a whole number, a boolean or
    null: canonical JSON has one spelling for each)."""
    scheme = snapshot.scheme_definition
    return {
        "type": SNAPSHOT_TYPE,
        "v": 1,
        "certificate": {
            "number": snapshot.certificate_number or None,
            "issued": _date(snapshot.created_at) if snapshot.certificate_number else None,
            "expires": _date(snapshot.valid_until),
            "scope": campaign.scope or campaign.name_zh,
            "organisation": campaign.organisation,
            "body": campaign.certification_body,
            "campaign": campaign.code,
        },
        "scheme": {"id": scheme.get("id"), "version": scheme.get("version"), "key": snapshot.scheme_key},
        "instrument_versions": list(snapshot.instrument_versions),
        "result": result_part(result),
        "n": counted,
        "counted_responses_sha256": counted_sha256,
        "counted_visits": sorted(int(v) for v in visits),
        "audit_checkpoint": snapshot.checkpoint,
        "locked_at": _instant(snapshot.created_at),
    }


def canonical(document: dict[str, Any]) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme."""
    return bytes(rfc8785.dumps(document))


def digest(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical document (hex): what the certificate page shows the first 12 digits of."""
    return hashlib.sha256(canonical(document)).hexdigest()


def sign(document: dict[str, Any], ring: Keyring) -> str:
    """A compact JWS (RFC 7515) of the canonical document, signed with the keyring's current Ed25519 key."""
    header = {"alg": "EdDSA", "kid": ring.current_kid, "typ": "JOSE", "cty": "json"}
    signing_input = f"{b64url(canonical(header))}.{b64url(canonical(document))}"
    _kid, signature = ring.sign(signing_input.encode())
    return f"{signing_input}.{b64url(signature)}"


def status_document(snapshot: GradeSnapshot) -> dict[str, Any]:
    """The certificate's status now, tied to the snapshot it is about by the snapshot's hash."""
    return {
        "type": STATUS_TYPE,
        "v": 1,
        "certificate": snapshot.certificate_number,
        "snapshot_sha256": snapshot.snapshot_sha256,
        "status": snapshot.certificate_status or "valid",
        "since": _instant(snapshot.status_changed_at or snapshot.created_at),
        "reason": snapshot.status_reason,
        "expires": _date(snapshot.valid_until),
        "stated_at": _instant(datetime.now(UTC)),
    }


@dataclass
class Checked:
    """What a JWS says, and whether its signature verifies with the keys given."""

    valid: bool
    reason: str
    header: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return digest(self.payload) if self.payload else ""

    def summary(self) -> str:
        data, kind = self.payload, self.payload.get("type")
        if kind == STATUS_TYPE:
            return (
                f"verified: certificate {data.get('certificate')} is {data.get('status')} since "
                f"{data.get('since')} (snapshot {str(data.get('snapshot_sha256'))[:12]}), "
                f"signed with key {self.header.get('kid')}"
            )
        cert, result = data.get("certificate", {}), data.get("result", {})
        return (
            f"verified: certificate {cert.get('number') or '(none)'} of {cert.get('organisation')}, "
            f"{result.get('status')}, tier {result.get('tier') or '—'}, total {result.get('total')}, "
            f"n {data.get('n')}, snapshot {self.sha256[:12]}, signed with key {self.header.get('kid')}"
        )


def _part(text: str, what: str) -> dict[str, Any]:
    try:
        found = json.loads(unb64url(text))
    except (ValueError, UnicodeDecodeError):
        raise JwsError(f"its {what} is not base64url-encoded JSON") from None
    if not isinstance(found, dict):
        raise JwsError(f"its {what} is not a JSON object")
    return found


def verify_jws(text: str, keys: dict[str, VerifyingKey]) -> Checked:
    """Check a compact JWS against these public keys; JwsError when it cannot be read at all."""
    parts = text.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise JwsError("not a compact JWS (three base64url parts separated by dots)")
    header, payload = _part(parts[0], "header"), _part(parts[1], "payload")
    if header.get("alg") != "EdDSA":
        raise JwsError(f"unsupported algorithm {header.get('alg')!r} (Mingcha signs with EdDSA)")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise JwsError("the header names no key (kid)")
    try:
        signature = unb64url(parts[2])
    except ValueError:
        raise JwsError("its signature is not base64url") from None
    key = keys.get(kid)
    if key is None:
        return Checked(False, f"no public key {kid} among the keys given", header, payload)
    if not key.verify(signature, f"{parts[0]}.{parts[1]}".encode()):
        return Checked(
            False,
            "the signature does not match the document (it was changed, or signed by another key)",
            header,
            payload,
        )
    return Checked(True, "", header, payload)


def differences(before: Any, after: Any, where: str = "") -> list[str]:
    """Where two documents differ, as 'path: before -> after' lines."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after)):
            out += differences(before.get(key), after.get(key), f"{where}.{key}" if where else str(key))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for n, (a, b) in enumerate(zip(before, after, strict=True)):
            label = a.get("id", n) if isinstance(a, dict) else n
            out += differences(a, b, f"{where}[{label}]")
        return out
    return [] if before == after else [f"{where}: {before} -> {after}"]
