"""Respondents' phone numbers: encrypted at rest (Fernet, from the `cryptography` library), revealed only to a
campaign's lead auditors with an audit row per reveal, re-encrypted by key rotation, purged after retention.

MINGCHA_DATA_KEY holds one or more Fernet keys separated by commas, the newest first: new numbers are
encrypted with the first; every listed key can decrypt (so a rotation adds a key in front, runs
`rotate-data-key`, then drops the old one).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import inspect
from sqlmodel import Session, col, select

from survey_app.errors import Conflict
from survey_app.models import Campaign, GradeSnapshot, SurveyResponse
from survey_app.services import audit


class DataKeyError(ValueError):
    """The data key is missing, malformed, or cannot decrypt the stored contacts."""


def parse_keys(value: str) -> tuple[Fernet, ...]:
    """Fernet keys from MINGCHA_DATA_KEY (comma separated, newest first)."""
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise DataKeyError("MINGCHA_DATA_KEY is empty: set it to a Fernet key (see README, Configuration)")
    try:
        return tuple(Fernet(k.encode()) for k in keys)
    except (ValueError, TypeError):
        raise DataKeyError(
            "MINGCHA_DATA_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes); "
            "generate one with: python -m survey_app new-data-key"
        ) from None


class ContactCipher:
    """Encrypts with the newest key, decrypts with any."""

    def __init__(self, keys: str) -> None:
        self.fernets = parse_keys(keys)
        self.multi = MultiFernet(list(self.fernets))

    def encrypt(self, phone: str) -> str:
        return self.multi.encrypt(phone.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self.multi.decrypt(token.encode()).decode()
        except InvalidToken:
            raise DataKeyError("a stored contact cannot be decrypted with MINGCHA_DATA_KEY") from None

    def rotate(self, token: str) -> str:
        return self.multi.rotate(token.encode()).decode()


def check_key(*, session: Session, cipher: ContactCipher) -> None:
    """At start-up: refuse a key that cannot decrypt what is stored (never a silent fallback)."""
    if not inspect(session.connection()).has_table("survey_response"):
        return
    sample = session.exec(
        select(SurveyResponse.contact_phone).where(col(SurveyResponse.contact_phone).is_not(None)).limit(1)
    ).first()
    if sample:
        try:
            cipher.decrypt(sample)
        except DataKeyError:
            raise DataKeyError(
                "MINGCHA_DATA_KEY cannot decrypt the stored phone numbers: it is not the key they were "
                "encrypted with (list the old key after the new one to rotate)"
            ) from None


def has_contact(response: SurveyResponse) -> bool:
    return bool(response.contact_consent and response.contact_phone)


def reveal(*, session: Session, cipher: ContactCipher, response: SurveyResponse, actor: str) -> str:
    """The phone number, for a lead auditor; each reveal is one audit row."""
    if not has_contact(response) or response.contact_phone is None:
        raise Conflict("no_contact")
    phone = cipher.decrypt(response.contact_phone)
    audit.append(
        session=session,
        actor=actor,
        action="contact.reveal",
        campaign_id=response.campaign_id,
        subject=f"response:{response.public_id}",
    )
    return phone


def encrypt_plain_contacts(*, session: Session, cipher: ContactCipher) -> int:
    """Encrypt numbers stored in plain text by versions before encryption at rest (run by `migrate`)."""
    count = 0
    rows = session.exec(select(SurveyResponse).where(col(SurveyResponse.contact_phone).is_not(None))).all()
    for response in rows:
        if response.contact_phone and not response.contact_phone.startswith("gAAAAA"):
            response.contact_phone = cipher.encrypt(response.contact_phone)
            session.add(response)
            count += 1
    return count


def rotate_all(*, session: Session, cipher: ContactCipher) -> int:
    """Re-encrypt every stored number with the newest key; return how many."""
    count = 0
    for response in session.exec(
        select(SurveyResponse).where(col(SurveyResponse.contact_phone).is_not(None))
    ):
        if response.contact_phone:
            response.contact_phone = cipher.rotate(response.contact_phone)
            session.add(response)
            count += 1
    audit.append(session=session, actor="cli", action="contacts.rotate_key", detail={"count": count})
    return count


def purge(*, session: Session, now: datetime, retention_days: int, actor: str = "cli") -> dict[str, int]:
    """Remove phone numbers of campaigns whose grade was locked more than `retention_days` ago."""
    purged: dict[str, int] = {}
    for campaign in session.exec(select(Campaign)):
        snapshot = session.exec(
            select(GradeSnapshot)
            .where(
                GradeSnapshot.campaign_id == campaign.id,
                col(GradeSnapshot.locked).is_(True),
                col(GradeSnapshot.reopened_at).is_(None),
            )
            .order_by(col(GradeSnapshot.id).desc())
        ).first()
        if snapshot is None or snapshot.created_at + timedelta(days=retention_days) > now:
            continue
        rows = session.exec(
            select(SurveyResponse).where(
                SurveyResponse.campaign_id == campaign.id, col(SurveyResponse.contact_phone).is_not(None)
            )
        ).all()
        for response in rows:
            response.contact_phone = None
            session.add(response)
        if rows:
            purged[campaign.code] = len(rows)
            audit.append(
                session=session,
                actor=actor,
                action="contacts.purge",
                campaign_id=campaign.id,
                subject=f"campaign:{campaign.code}",
                detail={"count": len(rows), "retention_days": retention_days},
            )
    return purged
