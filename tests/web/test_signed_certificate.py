"""A locked grade is signed (RFC 8785 canonical JSON, SHA-256, compact JWS with EdDSA): the certificate page
links the signed result, its separate signed status and the body's public keys; anyone can check them offline
(the CLI, or docs/certificates.md's few lines of Python); one byte changed fails; rotated keys keep old
certificates verifiable; `grade --verify-locked` recomputes the grade and names any difference."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app import keyring
from survey_app.keyring import Keyring
from survey_app.models import Campaign, GradeSnapshot, ResponseStatus, SurveyResponse
from survey_app.services.grades import certificates, locks
from survey_app.services.review import status
from survey_app.settings import Settings
from tests.conftest import CliRun
from tests.factories import add_member, csrf_of, login, make_user, seed_graded_demo

ROOT = Path(__file__).resolve().parents[2]


def _locked(session: Session) -> GradeSnapshot:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    snapshot = locks.lock(session=session, campaign=campaign, actor="lead1")
    session.commit()
    return snapshot


def _payload(jws: str) -> bytes:
    part = jws.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _docs_snippet() -> str:
    text = (ROOT / "docs" / "certificates.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "docs/certificates.md has one Python block: the offline check"
    return str(blocks[0])


def test_the_certificate_page_links_a_signed_result_anyone_can_check(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    snapshot = _locked(session)
    token = snapshot.certificate_token
    page = client.get(f"/cert/{token}")
    assert page.status_code == 200 and snapshot.snapshot_sha256[:12] in page.text
    for link in (f"/cert/{token}/certificate.jws", f"/cert/{token}/status.jws", "/.well-known/jwks.json"):
        assert f'href="{link}"' in page.text
    signed = client.get(f"/cert/{token}/certificate.jws")
    assert signed.status_code == 200 and signed.headers["content-type"].startswith("application/jose")
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks.headers["content-type"].startswith("application/jwk-set+json")
    assert all("d" not in key for key in jwks.json()["keys"]), "no private part is published"

    header = json.loads(base64.urlsafe_b64decode(signed.text.split(".")[0] + "=="))
    assert header["alg"] == "EdDSA" and header["kid"] in {k["kid"] for k in jwks.json()["keys"]}
    payload = _payload(signed.text)
    assert hashlib.sha256(payload).hexdigest() == snapshot.snapshot_sha256
    document = json.loads(payload)
    assert certificates.canonical(document) == payload, "the payload is the RFC 8785 form"
    assert document["certificate"]["number"] == snapshot.certificate_number
    assert document["certificate"]["body"] == "方圆标志认证集团" and document["certificate"]["scope"]
    assert document["certificate"]["issued"] and document["certificate"]["expires"]
    assert document["scheme"]["id"] and document["scheme"]["version"]
    assert document["result"]["tier"] == snapshot.result["tier"] and document["n"] > 0
    assert document["counted_responses_sha256"] == snapshot.counted_sha256
    assert all(d["score"] for c in document["result"]["components"] for d in c["dimensions"])
    assert document["audit_checkpoint"].startswith("mingcha audit checkpoint v1\n")

    # the documented few lines of Python, run on the downloaded files, agree
    (tmp_path / "certificate.jws").write_text(signed.text, encoding="utf-8")
    (tmp_path / "jwks.json").write_text(jwks.text, encoding="utf-8")
    (tmp_path / "check.py").write_text(_docs_snippet(), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "check.py", "certificate.jws", "jwks.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and f"fingerprint {snapshot.snapshot_sha256[:12]}" in run.stdout, run.stderr
    body, payload_part, signature = signed.text.split(".")
    changed = payload_part[:40] + ("A" if payload_part[40] != "A" else "B") + payload_part[41:]
    (tmp_path / "certificate.jws").write_text(f"{body}.{changed}.{signature}", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "check.py", "certificate.jws", "jwks.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "InvalidSignature" in run.stderr


def _flip(text: str, where: int) -> str:
    return text[:where] + ("A" if text[where] != "A" else "B") + text[where + 1 :]


def test_cert_verify_catches_one_changed_byte_and_refuses_a_malformed_file(
    session: Session,
    settings: Settings,
    cli: CliRun,
    tmp_path: Path,
) -> None:
    snapshot = _locked(session)
    jws = snapshot.certificate_jws
    saved = tmp_path / "certificate.jws"
    saved.write_text(jws, encoding="utf-8")
    code, out = cli("cert", "verify", str(saved))
    assert code == 0 and snapshot.certificate_number in out and snapshot.snapshot_sha256[:12] in out
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keyring.active().jwks()), encoding="utf-8")
    assert cli("cert", "verify", str(saved), "--jwks", str(jwks))[0] == 0

    head, payload, signature = jws.split(".")
    for n, forged in enumerate(
        [
            f"{head}.{_flip(payload, 10)}.{signature}",
            f"{head}.{_flip(payload, len(payload) // 2)}.{signature}",
            f"{head}.{payload}.{_flip(signature, 5)}",
        ]
    ):
        path = tmp_path / f"forged{n}.jws"
        path.write_text(forged, encoding="utf-8")
        code, out = cli("cert", "verify", str(path), "--jwks", str(jwks))
        assert code in (1, 2) and "verified:" not in out, out
        assert code == 1 or "error:" in out
    # a changed payload that still decodes is exit 1, named as such
    path = tmp_path / "forged0.jws"
    assert cli("cert", "verify", str(path), "--jwks", str(jwks))[0] in (1, 2)
    document = json.loads(_payload(jws))
    document["result"]["tier"] = "5A"
    rewritten = f"{head}.{keyring.b64url(certificates.canonical(document))}.{signature}"
    path.write_text(rewritten, encoding="utf-8")
    code, out = cli("cert", "verify", str(path), "--jwks", str(jwks))
    assert code == 1 and "does not match the document" in out

    other = Keyring.load_or_create(tmp_path / "someone-else.json")
    strangers = tmp_path / "strangers.json"
    strangers.write_text(json.dumps(other.jwks()), encoding="utf-8")
    code, out = cli("cert", "verify", str(saved), "--jwks", str(strangers))
    assert code == 1 and "no public key" in out

    none_alg = keyring.b64url(b'{"alg":"none"}')
    no_kid = keyring.b64url(b'{"alg":"EdDSA"}')
    for bad, said in [
        ("", "not a compact JWS"),
        ("just text", "not a compact JWS"),
        ("a.b", "not a compact JWS"),
        ("!!!.@@@.###", "base64url"),
        (f"{none_alg}.{payload}.{signature}", "unsupported algorithm"),
        (f"{keyring.b64url(b'[1]')}.{payload}.{signature}", "not a JSON object"),
        (f"{no_kid}.{payload}.{signature}", "names no key"),
    ]:
        path = tmp_path / "bad.jws"
        path.write_text(bad, encoding="utf-8")
        code, out = cli("cert", "verify", str(path))
        assert code == 2 and said in out and "Traceback" not in out, (bad, out)
    path.write_bytes(b"\xff\xfe\x00")
    assert cli("cert", "verify", str(path))[0] == 2
    assert cli("cert", "verify", str(tmp_path / "missing.jws"))[0] == 2
    jwks.write_text("{not json", encoding="utf-8")
    code, out = cli("cert", "verify", str(saved), "--jwks", str(jwks))
    assert code == 2 and "JWK Set" in out


def test_the_status_is_signed_apart_and_suspending_never_resigns_the_snapshot(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path
) -> None:
    snapshot = _locked(session)
    token, campaign_code = snapshot.certificate_token, "WYW1-2026"
    before = client.get(f"/cert/{token}/certificate.jws").text
    status_before = client.get(f"/cert/{token}/status.jws").text
    stated = certificates.verify_jws(status_before, keyring.active().verifiers())
    assert stated.valid and stated.payload["status"] == "valid"
    assert stated.payload["snapshot_sha256"] == snapshot.snapshot_sha256
    make_user(session, "reviewer1", ["reviewer"])
    session.commit()
    reviewer = TestClient(client.app, follow_redirects=False)
    login(reviewer, "reviewer1")
    form = {"_csrf": csrf_of(reviewer), "decision": "suspend", "reasons": "监督审核发现重大不符合项"}
    assert reviewer.post(f"/c/{campaign_code}/decision", data=form).status_code == 303
    anonymous = TestClient(client.app)
    assert anonymous.get(f"/cert/{token}/certificate.jws").text == before, "the snapshot is not signed again"
    after = certificates.verify_jws(
        anonymous.get(f"/cert/{token}/status.jws").text, keyring.active().verifiers()
    )
    assert after.valid and after.payload["status"] == "suspended"
    assert after.payload["reason"] == "监督审核发现重大不符合项" and after.payload["since"]
    assert "suspended" in after.summary()


def test_a_rotated_key_leaves_old_certificates_verifiable(
    session: Session,
    settings: Settings,
    cli: CliRun,
    tmp_path: Path,
) -> None:
    snapshot = _locked(session)
    old_kid = keyring.active().current_kid
    assert cli("rotate-signing-key")[0] == 0
    rotated = Keyring.load(settings.signing_keys)
    keyring.use(rotated)
    assert rotated.current_kid != old_kid
    published = {key["kid"] for key in rotated.jwks()["keys"]}
    assert {old_kid, rotated.current_kid} <= published, "old keys stay published"
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(rotated.jwks()), encoding="utf-8")
    saved = tmp_path / "old.jws"
    saved.write_text(snapshot.certificate_jws, encoding="utf-8")
    code, out = cli("cert", "verify", str(saved), "--jwks", str(jwks))
    assert code == 0 and old_kid in out
    # a status changed after the rotation is signed with the new key; both verify with the one JWK Set
    campaign = session.get(Campaign, snapshot.campaign_id)
    assert campaign is not None
    stored = locks.set_certificate_status(
        session=session, campaign=campaign, status="withdrawn", reason="撤销", actor="lead1"
    )
    session.commit()
    status_file = tmp_path / "status.jws"
    status_file.write_text(stored.status_jws, encoding="utf-8")
    code, out = cli("cert", "verify", str(status_file), "--jwks", str(jwks))
    assert code == 0 and "withdrawn" in out and rotated.current_kid in out


def test_verify_locked_confirms_the_grade_or_names_the_difference(
    session: Session,
    settings: Settings,
    cli: CliRun,
) -> None:
    snapshot = _locked(session)
    code, out = cli("grade", "--campaign", "WYW1-2026", "--verify-locked")
    assert code == 0 and snapshot.snapshot_sha256[:12] in out
    # someone who writes the database excludes counted responses behind the lock's back
    counted = session.exec(
        select(SurveyResponse)
        .where(
            SurveyResponse.campaign_id == snapshot.campaign_id, col(SurveyResponse.status).in_(status.COUNTED)
        )
        .order_by(col(SurveyResponse.id))
        .limit(20)  # enough that the total moves at two decimals, whichever responses they are
    ).all()
    for response in counted:
        response.status = ResponseStatus.EXCLUDED
        session.add(response)
    session.commit()
    code, out = cli("grade", "--campaign", "WYW1-2026", "--verify-locked")
    assert code == 1 and "DIFFERS counted responses: 20 no longer counted" in out
    assert "DIFFERS n: " in out and "DIFFERS counted_responses_sha256" in out
    assert "DIFFERS result.total: " in out
    code, out = cli("grade", "--campaign", "NOPE", "--verify-locked")
    assert code == 2
