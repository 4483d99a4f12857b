"""Field work as the web tests drive it: a campaign with three field auditors and a lead, scheduling a visit,
logging in as someone, filling in and submitting a sheet, and photographs of a scene."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app.clock import utcnow
from survey_app.models import Campaign, Location, User
from survey_app.services.campaigns.instruments import register_bundled
from survey_app.settings import Settings
from tests.factories import add_member, csrf_of, login, make_campaign, make_user

OPEN_ITEMS = {"e04", "e07", "e10", "e13", "e14", "e17"}


def setup(
    session: Session, code: str = "V-1"
) -> tuple[Campaign, list[Location], dict[str, User], dict[str, int]]:
    campaign, locations = make_campaign(session, code=code, locations=3)
    users = {name: make_user(session, name, ["field"]) for name in ("f1", "f2", "f3")}
    users["lead"] = make_user(session, "lead1", ["lead"])
    for name in ("f1", "f2", "f3"):
        add_member(session=session, campaign_id=campaign.id, user_id=users[name].id, role="field")
    add_member(session=session, campaign_id=campaign.id, user_id=users["lead"].id, role="lead")
    ids = register_bundled(session=session)
    session.commit()
    return campaign, locations, users, ids


def local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def schedule(
    client: TestClient,
    code: str,
    instrument: int,
    mode: str,
    auditors: list[User],
    start_h: float = -1,
    hours: float = 6,
    loc: int | None = None,
) -> int:
    now = utcnow()
    data = {
        "_csrf": csrf_of(client),
        "mode": mode,
        "instrument": str(instrument),
        "location": str(loc or ""),
        "window_start": local(now + timedelta(hours=start_h)),
        "window_end": local(now + timedelta(hours=start_h + hours)),
        "auditors": [str(a.id) for a in auditors],
    }
    response = client.post(f"/c/{code}/visits", data=data)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[-1])


def as_user(settings: Settings, name: str) -> TestClient:
    from survey_app.app import create_app

    client = TestClient(create_app(settings), follow_redirects=False)
    client.__enter__()
    assert login(client, name).status_code == 303
    return client


def fill_sheet(client: TestClient, visit: int, value: str, skip: frozenset[str] = frozenset()) -> None:
    """Walk every step of the write-up, answering every scored item with `value` (yes/no items: yes)."""
    token = csrf_of(client, "/f")
    for step in range(7):
        page = client.get(f"/f/v/{visit}?step={step}")
        if f'action="/f/v/{visit}/step/{step}"' not in page.text:
            break

        names = sorted(set(re.findall(r'name="(a\.[a-z0-9_]+)" value="', page.text)))
        data: dict[str, str] = {"_csrf": token, "go": "next", "note": f"step {step}"}
        for name in names:
            if name[2:] in skip:
                continue
            data[name] = "yes" if f'name="{name}" value="yes"' in page.text else value
        assert client.post(f"/f/v/{visit}/step/{step}", data=data).status_code == 303


def check_in_fill_and_submit(client: TestClient, visit: int, value: str) -> None:
    """An auditor's whole open visit: check in, answer every item with `value`, submit the sheet."""
    token = csrf_of(client, "/f")
    assert client.post(f"/f/v/{visit}/checkin", data={"_csrf": token, "device_time": ""}).status_code == 303
    fill_sheet(client, visit, value)
    page = client.get(f"/f/v/{visit}?step=99").text
    key = page.split('name="key" value="')[1].split('"')[0]
    assert client.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": key}).status_code == 303


def scene(seed: int, size: tuple[int, int] = (900, 700), when: str | None = None) -> bytes:
    image = Image.new("RGB", size, (240, 240, 230))
    draw = ImageDraw.Draw(image)
    for n in range(10):
        k = seed * 131 + n * 977
        draw.rectangle(
            (k % 500, (k * 7) % 400, k % 500 + 200, (k * 7) % 400 + 150), fill=(k % 255, (k * 3) % 255, 90)
        )
    exif = Image.Exif()
    if when:
        exif.get_ifd(0x8769)[36867] = when
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
