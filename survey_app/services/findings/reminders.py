"""What is due about findings, for the home pages and the daily e-mail digest: deadlines within 7 days,
overdue corrections, and corrections waiting for the lead auditor's verification.

The digest is sent only when MINGCHA_SMTP_URL is set (never by default), once a day per person with an
address, and every message sent is recorded (`SentMessage`)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, col, select

from survey_app import clock
from survey_app.i18n import gettext, ngettext, speaking
from survey_app.models import Campaign, CampaignMember, Finding, FindingState, SentMessage, User
from survey_app.services.findings.register import WAITING

SOON = timedelta(days=7)


@dataclass(frozen=True)
class Reminder:
    campaign: Campaign
    finding: Finding
    why: str  # "overdue", "due_soon", "to_verify"


def reminders(*, session: Session, user: User, now: datetime) -> list[Reminder]:
    """A lead auditor's (campaigns they lead) or an auditee's (campaigns they are invited to) reminders."""
    roles = {"lead": ("overdue", "due_soon", "to_verify"), "auditee": ("overdue", "due_soon")}
    out: list[Reminder] = []
    rows = session.exec(
        select(Campaign, CampaignMember.role)
        .join(CampaignMember, col(CampaignMember.campaign_id) == col(Campaign.id))
        .where(CampaignMember.user_id == user.id, col(CampaignMember.role).in_(list(roles)))
    ).all()
    for campaign, role in rows:
        if role not in user.roles:
            continue
        wanted = roles[role]
        for finding in session.exec(select(Finding).where(Finding.campaign_id == campaign.id)):
            why = _why(finding, now)
            if why in wanted:
                out.append(Reminder(campaign, finding, why))
    order = {"overdue": 0, "to_verify": 1, "due_soon": 2}
    return sorted(out, key=lambda r: (order[r.why], r.finding.deadline or now, r.finding.number))


def _why(finding: Finding, now: datetime) -> str:
    if finding.state == FindingState.SUBMITTED:
        return "to_verify"
    if finding.state in WAITING and finding.deadline is not None:
        if finding.deadline < now:
            return "overdue"
        if finding.deadline < now + SOON:
            return "due_soon"
    return ""


def digest_text(items: list[Reminder]) -> tuple[str, str]:
    """The subject and body of one person's digest, in the active language."""
    subject = ngettext(
        "Mingcha: %(n)s finding needs attention", "Mingcha: %(n)s findings need attention", len(items)
    ) % {"n": len(items)}
    heads = {
        "overdue": gettext("Overdue"),
        "to_verify": gettext("Corrections waiting for verification"),
        "due_soon": gettext("Due within 7 days"),
    }
    lines = []
    for why in ("overdue", "to_verify", "due_soon"):
        chosen = [r for r in items if r.why == why]
        if not chosen:
            continue
        lines.append(heads[why])
        for r in chosen:
            due = (
                clock.localtime(r.finding.deadline, r.campaign.timezone, "%Y-%m-%d")
                if r.finding.deadline
                else "—"
            )
            lines.append(
                "  "
                + gettext("%(org)s, finding %(n)s (due %(day)s): %(what)s")
                % {
                    "org": r.campaign.organisation,
                    "n": r.finding.number,
                    "day": due,
                    "what": r.finding.description[:120],
                }
            )
        lines.append("")
    return subject, "\n".join(lines)


def send_digests(
    *, session: Session, smtp_url: str, sender: str, now: datetime, locale: str = "zh_CN"
) -> int:
    """E-mail today's digest to each active lead auditor and auditee with an address and something due
    (once a day: a person already sent today's digest is skipped); record each message. Returns how many
    were sent."""
    if not smtp_url:
        return 0
    day = clock.localtime(now, "Asia/Shanghai", "%Y-%m-%d")
    sent = 0
    users = session.exec(select(User).where(col(User.active).is_(True), User.email != "")).all()
    with speaking(locale):
        for user in users:
            if not {"lead", "auditee"} & set(user.roles):
                continue
            done = session.exec(
                select(SentMessage).where(
                    SentMessage.user_id == user.id, SentMessage.kind == "digest", SentMessage.day == day
                )
            ).first()
            items = reminders(session=session, user=user, now=now)
            if done is not None or not items:
                continue
            subject, body = digest_text(items)
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = sender, user.email, subject
            message.set_content(body)
            _deliver(smtp_url, message)
            session.add(
                SentMessage(
                    user_id=user.id,
                    to_address=user.email,
                    subject=subject[:200],
                    kind="digest",
                    items=len(items),
                    day=day,
                )
            )
            session.flush()
            sent += 1
    return sent


def _deliver(url: str, message: EmailMessage) -> None:
    """smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps://... (TLS)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=30)
    else:
        client = smtplib.SMTP(host, port or 25, timeout=30)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls()
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
