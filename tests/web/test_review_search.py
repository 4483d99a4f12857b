"""The review desk finds a receipt read out on the phone, or words from a comment; undecided responses come
first; each reason is one line, never twice."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.i18n import speaking
from survey_app.models import Campaign, ResponseStatus, SurveyResponse
from survey_app.web.templating import reason_lines

RECEIPT = re.compile(r'/c/WYW1-2026/r/([A-Z0-9]{3}-[A-Z0-9]{3})"')
DECIDED = {
    ResponseStatus.VERIFIED,
    ResponseStatus.UNREACHABLE,
    ResponseStatus.REJECTED,
    ResponseStatus.EXCLUDED,
}


def test_a_receipt_is_found_however_it_is_typed(client: TestClient, session: Session, desk: Campaign) -> None:
    row = session.exec(select(SurveyResponse).order_by(col(SurveyResponse.id).desc())).first()
    assert row is not None and "-" in row.public_id
    for typed in (
        row.public_id,
        row.public_id.lower(),
        row.public_id.replace("-", "").lower(),
        f" {row.public_id} ",
    ):
        found = RECEIPT.findall(client.get("/c/WYW1-2026/review", params={"q": typed}).text)
        assert found == [row.public_id], typed


def test_comment_words_are_searched_literally(client: TestClient, session: Session, desk: Campaign) -> None:
    row = session.exec(
        select(SurveyResponse).where(col(SurveyResponse.comment) != "").order_by(col(SurveyResponse.id))
    ).first()
    assert row is not None
    words = row.comment.strip()[:4]
    found = set(RECEIPT.findall(client.get("/c/WYW1-2026/review", params={"q": words}).text))
    assert row.public_id in found
    for other in found:
        hit = session.exec(select(SurveyResponse).where(SurveyResponse.public_id == other)).one()
        assert words in hit.comment
    wildcard = client.get("/c/WYW1-2026/review", params={"q": "%"})
    assert wildcard.status_code == 200 and "没有符合" in wildcard.text, "% is a character, not a wildcard"


def test_undecided_responses_come_first(client: TestClient, session: Session, desk: Campaign) -> None:
    shown = RECEIPT.findall(client.get("/c/WYW1-2026/review").text)
    statuses = [
        session.exec(select(SurveyResponse.status).where(SurveyResponse.public_id == r)).one() for r in shown
    ]
    decided = [s in DECIDED for s in statuses]
    assert any(decided) or len(shown) == 25, "the demo has decided responses in the sample"
    assert decided == sorted(decided), "every undecided response before every decided one"
    assert not decided[0]


def test_reasons_are_one_line_each_and_never_twice(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    reasons = [
        {"zh": "同一部手机", "en": "same phone"},
        {"zh": "同一部手机", "en": "same phone"},
        {"zh": "答题过快"},
    ]
    with speaking("zh_CN"):
        assert reason_lines(reasons) == ["同一部手机", "答题过快"]
    with speaking("en"):
        assert reason_lines(reasons, 1) == ["same phone"]
    page = client.get("/c/WYW1-2026/review").text
    for block in re.findall(r'<ul class="reasons">(.*?)</ul>', page, re.S):
        lines = re.findall(r"<li>([^<]*)</li>", block)
        assert len(lines) == len(set(lines)) <= 3
