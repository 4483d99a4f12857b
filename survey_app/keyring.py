"""The certification body's signing keys, kept outside the database (`cryptography`'s Ed25519, HKDF and HMAC).

One keyring signs every chain head of the audit log, every audit checkpoint and every certificate; each key's
HMAC key (derived from it with HKDF) authenticates every audit row. The current key signs; retired keys stay
in the keyring so that what they signed still verifies (`rotate-signing-key`), and their public halves are
published at /.well-known/jwks.json.

The keyring is a JSON file (mode 0600): `{"current": kid, "keys": [{"kid", "private", "created"}]}`, the
private keys as base64url raw bytes. In development it is created under var/; in production
MINGCHA_SIGNING_KEYS must name an existing file. Someone holding both this file and the database can still
rewrite both: that is what checkpoints kept elsewhere are for (docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class KeyringError(ValueError):
    """The keyring is missing, unreadable or malformed."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    """base64url without padding, strictly (raises ValueError)."""
    if not isinstance(text, str) or not text.isascii() or any(c in text for c in "+/= \n"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public: Ed25519PublicKey) -> str:
    """A key's id: the first 16 hex digits of SHA-256 over its raw public bytes."""
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


@dataclass(frozen=True)
class VerifyingKey:
    """A public key (from the keyring or a JWK Set) that verifies signatures."""

    kid: str
    public: Ed25519PublicKey

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def jwk(self) -> dict[str, str]:
        raw = self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(raw),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }


@dataclass(frozen=True)
class SigningKey:
    """A private key of the keyring (it signs; its public half verifies)."""

    kid: str
    private: Ed25519PrivateKey = field(repr=False, compare=False)
    created: str = ""

    @property
    def verifying(self) -> VerifyingKey:
        return VerifyingKey(self.kid, self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def mac_key(self) -> bytes:
        """This key's HMAC key for audit rows (HKDF-SHA256 over the private key)."""
        raw = self.private.private_bytes_raw()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mingcha", info=b"audit-row-mac").derive(raw)


def new_key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SigningKey(key_id(private.public_key()), private, stamp)


@dataclass
class Keyring:
    """The keys: `current` signs and MACs; every key verifies what it signed."""

    keys: dict[str, SigningKey]
    current_kid: str
    _macs: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def current(self) -> SigningKey:
        return self.keys[self.current_kid]

    def sign(self, data: bytes) -> tuple[str, bytes]:
        """(key id, Ed25519 signature) with the current key."""
        return self.current_kid, self.current.sign(data)

    def verifier(self, kid: str) -> VerifyingKey | None:
        key = self.keys.get(kid)
        return key.verifying if key else None

    def verifiers(self) -> dict[str, VerifyingKey]:
        return {kid: key.verifying for kid, key in self.keys.items()}

    def mac(self, data: bytes, kid: str | None = None) -> str:
        """HMAC-SHA256 of `data` (hex) with a key's HMAC key (the current key's by default)."""
        kid = kid or self.current_kid
        if kid not in self._macs:
            self._macs[kid] = self.keys[kid].mac_key()
        h = crypto_hmac.HMAC(self._macs[kid], hashes.SHA256())
        h.update(data)
        return h.finalize().hex()

    def mac_matches(self, data: bytes, kid: str, mac: str) -> bool:
        if kid not in self.keys or not mac:
            return False
        return hmac.compare_digest(self.mac(data, kid), mac)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys, old ones included, as a JWK Set (RFC 7517)."""
        return {"keys": [key.verifying.jwk() for key in self.keys.values()]}

    def rotated(self) -> Keyring:
        """A keyring whose new current key signs from now on; the others stay to verify."""
        fresh = new_key()
        return Keyring({**self.keys, fresh.kid: fresh}, fresh.kid)

    # -- the file --

    def to_json(self) -> str:
        keys = [
            {"kid": k.kid, "private": b64url(k.private.private_bytes_raw()), "created": k.created}
            for k in self.keys.values()
        ]
        return json.dumps({"current": self.current_kid, "keys": keys}, indent=2) + "\n"

    def save(self, path: Path) -> None:
        """Write the keyring readable by its owner only (written aside, then moved into place)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(path.name + ".new")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())
        os.chmod(aside, 0o600)
        os.replace(aside, path)

    @classmethod
    def from_json(cls, text: str, *, source: str = "keyring") -> Keyring:
        try:
            data: Any = json.loads(text)
            keys: dict[str, SigningKey] = {}
            for entry in data["keys"]:
                private = Ed25519PrivateKey.from_private_bytes(unb64url(entry["private"]))
                kid = key_id(private.public_key())
                if entry.get("kid") not in (None, kid):
                    raise ValueError(f"key {entry.get('kid')} does not match its private key")
                keys[kid] = SigningKey(kid, private, str(entry.get("created", "")))
            current = str(data["current"])
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyringError(f"{source}: not a Mingcha signing keyring ({exc})") from None
        if current not in keys:
            raise KeyringError(f"{source}: the current key {current} is not in the keyring")
        return cls(keys, current)

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            text = path.read_text()
        except OSError as exc:
            raise KeyringError(f"cannot read the signing keyring {path}: {exc.strerror}") from None
        return cls.from_json(text, source=str(path))

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        """The development keyring under var/, created on first use."""
        if path.exists():
            return cls.load(path)
        key = new_key()
        ring = cls({key.kid: key}, key.kid)
        ring.save(path)
        return ring


def public_keys(jwks: Any) -> dict[str, VerifyingKey]:
    """The Ed25519 keys of a JWK Set (what a reader fetched from /.well-known/jwks.json)."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise KeyringError("not a JWK Set: expected an object with a 'keys' list")
    found: dict[str, VerifyingKey] = {}
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        try:
            public = Ed25519PublicKey.from_public_bytes(unb64url(str(jwk.get("x", ""))))
        except ValueError:
            raise KeyringError("a key of the JWK Set is not a valid Ed25519 public key") from None
        kid = str(jwk.get("kid") or key_id(public))
        found[kid] = VerifyingKey(kid, public)
    return found


_active: Keyring | None = None


def use(ring: Keyring) -> None:
    """Make this the process's keyring (the app, a command or a worker does this at start)."""
    global _active
    _active = ring


def active() -> Keyring:
    """The process's keyring (what the audit log and certificates sign with)."""
    if _active is None:
        raise KeyringError("no signing keyring loaded: the app, a command or the worker loads it at start")
    return _active
