"""The audit log on screen: every kind of row the app writes reads as a sentence (this fails when a new kind
has none), newest first, filtered by kind, person and day, with the chain's verification and a CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.i18n import speaking
from survey_app.models import AuditLog, Campaign
from survey_app.services import audit
from survey_app.web.audit_sentences import SENTENCES, sentence

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = re.compile(r'action=f?"([a-z_]+\.[a-z_{}]+|export)"')


def written_kinds() -> set[str]:
    """Every action the code writes to the audit log (the f-string kinds of the status door expanded)."""
    kinds: set[str] = set()
    for path in (ROOT / "survey_app").rglob("*.py"):
        for found in WRITTEN.findall(path.read_text(encoding="utf-8")):
            kinds |= {f"response.{k}" for k in ("model", "draw", "lead")} if "{" in found else {found}
    kinds |= {"campaign.create", "location.deactivate"}  # passed through as parameters
    return kinds


def test_every_kind_the_app_writes_has_a_sentence() -> None:
    missing = sorted(written_kinds() - set(SENTENCES))
    assert len(written_kinds()) > 40 and missing == [], "give each new kind of audit row its sentence"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_sentences_read_as_words(locale: str) -> None:
    row = AuditLog(
        chain=1, seq=1, actor="wang", action="response.lead", subject="response:K7M-4QX",
        old="callback_due", new="rejected", reason="回访否认", prev_hash="", hash="",
    )  # fmt: skip
    with speaking(locale):
        text = sentence(row, {"wang": "王审"})
    assert "王审" in text and "K7M-4QX" in text and "response.lead" not in text and "callback_due" not in text
    machine = AuditLog(
        chain=1,
        seq=2,
        actor="fraud-model",
        action="response.model",
        subject="response:A",
        prev_hash="",
        hash="",
    )
    with speaking(locale):
        assert "fraud-model" not in sentence(machine)


def test_the_page_shows_the_chain_in_words_and_its_verification(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    page = client.get(f"/c/{desk.code}/audit")
    assert page.status_code == 200
    assert "条记录均已通过校验" in page.text, "the chain verifies"
    seen = re.sub(r"<[^>]+>", " ", page.text.split('<main id="main">')[1])  # what a reader sees
    assert "response.model" not in seen and "callback.attempt" not in seen and "fraud-model" not in seen
    calls = client.get(f"/c/{desk.code}/audit", params={"kind": "callback.attempt"})
    lines = re.findall(r"<li><span class=\"muted\">[^<]+</span> ([^<]+)", calls.text)
    assert lines and all("回访" in line for line in lines)
    nobody = client.get(f"/c/{desk.code}/audit", params={"who": "nobody-at-all"})
    assert "没有符合条件的记录" in nobody.text
    english = client.get(f"/c/{desk.code}/audit?lang=en")
    assert "rows verify" in english.text


def test_a_broken_chain_is_named_on_the_page(client: TestClient, session: Session, desk: Campaign) -> None:
    row = session.exec(select(AuditLog).where(AuditLog.chain == desk.id, AuditLog.seq == 3)).one()
    row.reason = "changed behind the app's back"
    session.add(row)
    session.commit()
    page = client.get(f"/c/{desk.code}/audit")
    assert "校验未通过" in page.text and "第 3 条" in page.text and "写入后被修改过" in page.text
    assert audit.verify(session=session, chain=desk.id)


def test_the_csv_has_sentences_and_masks_numbers(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    marked = session.exec(select(AuditLog).where(AuditLog.chain == desk.id)).first()
    assert marked is not None
    got = client.get(f"/c/{desk.code}/audit.csv")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["seq", "time", "who", "what"] and len(rows) > 10
    assert all(not re.search(r"1[3-9]\d{9}", cell) for row in rows for cell in row[:5])
