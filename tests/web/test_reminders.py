"""Issue 27: reminders. The lead auditor's and the organisation's home pages list what is due and overdue;
with MINGCHA_SMTP_URL set the worker e-mails a daily digest (tested against a local SMTP server started here),
each message recorded, once a day; without the setting nothing is sent."""

from __future__ import annotations

import email
import email.header
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.clock import utcnow
from survey_app.models import Campaign, Finding, FindingState, SentMessage, User
from survey_app.services.demo.findings import seed_findings_demo
from survey_app.services.findings.reminders import reminders, send_digests
from survey_app.settings import Settings
from survey_app.worker import tasks


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def _overdue(session: Session, campaign: Campaign) -> Finding:
    seed_findings_demo(session=session, campaign=campaign)
    late = session.exec(
        select(Finding).where(Finding.campaign_id == campaign.id, Finding.state == FindingState.OPEN)
    ).first()
    assert late is not None
    late.deadline = utcnow() - timedelta(days=3)
    session.add(late)
    lead = session.exec(select(User).where(User.username == "lead1")).one()
    lead.email = "lead1@example.org"
    session.add(lead)
    session.commit()
    return late


def test_the_lead_home_lists_what_is_due(client: TestClient, session: Session, desk: Campaign) -> None:
    late = _overdue(session, desk)
    page = client.get("/campaigns")
    assert page.status_code == 200 and "审核发现：到期和逾期" in page.text
    assert f"/c/{desk.code}/findings/{late.number}" in page.text and "逾期" in page.text
    lead = session.exec(select(User).where(User.username == "lead1")).one()
    whys = {r.why for r in reminders(session=session, user=lead, now=utcnow())}
    assert whys == {"overdue", "to_verify"}, "the demo has an overdue finding and a correction to verify"


def test_the_digest_is_sent_once_a_day_and_recorded(
    session: Session, desk: Campaign, smtp: tuple[str, Inbox]
) -> None:
    url, inbox = smtp
    _overdue(session, desk)
    assert send_digests(session=session, smtp_url="", sender="m@example.org", now=utcnow()) == 0
    assert inbox.messages == []
    sent = send_digests(session=session, smtp_url=url, sender="mingcha@example.org", now=utcnow())
    session.commit()
    assert sent == 1 and len(inbox.messages) == 1
    message = inbox.messages[0]
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode("utf-8")
    assert message["To"] == "lead1@example.org" and "项审核发现需要处理" in subject
    assert "已逾期" in body and "待验证的整改" in body and desk.organisation in body
    row = session.exec(select(SentMessage)).one()
    assert (row.to_address, row.kind, row.items) == ("lead1@example.org", "digest", 2)
    assert send_digests(session=session, smtp_url=url, sender="m@example.org", now=utcnow()) == 0, (
        "once a day"
    )
    assert len(inbox.messages) == 1


def test_the_worker_sends_nothing_without_the_setting(
    settings: Settings, session: Session, desk: Campaign
) -> None:
    _overdue(session, desk)
    from survey_app.db import make_engine

    assert settings.smtp_url == ""
    assert tasks.send_reminders(make_engine(settings.database_url), settings) == 0
    assert session.exec(select(SentMessage)).all() == []
    with pytest.raises(Exception, match="MINGCHA_SMTP_URL"):
        Settings.from_env({"MINGCHA_SMTP_URL": "http://mail.example.org", "MINGCHA_SECRET_KEY": "x" * 40})
