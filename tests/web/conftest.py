"""Fixtures several web tests share."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app.models import Campaign
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.services.demo.review import seed_review_demo
from survey_app.services.review.contacts import ContactCipher
from survey_app.settings import Settings
from tests.factories import add_member, login, make_user


@pytest.fixture
def desk(session: Session, client: TestClient, settings: Settings) -> Campaign:
    """The demo estate: responses, phones, a callback draw and calls; `client` logged in as its lead."""
    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    seed_review_demo(session=session, campaign=campaign, cipher=ContactCipher(settings.data_key))
    session.commit()
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    return campaign
