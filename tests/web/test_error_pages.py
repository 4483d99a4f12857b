"""Refusals as pages in the reader's language, or as JSON for the API and the phones' outbox."""

from __future__ import annotations

from sqlmodel import Session
from starlette.testclient import TestClient

from tests.factories import login, make_user


def test_domain_errors_are_pages_or_json(client: TestClient, session: Session) -> None:
    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    page = client.get("/c/NOPE")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"] and "未找到" in page.text
    data = client.get("/c/NOPE", headers={"Accept": "application/json"})
    assert data.status_code == 404
    assert data.json()["error"]["code"] == "campaign_not_found" and data.json()["error"]["status"] == 404
