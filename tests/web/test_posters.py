"""Posters decode to exactly their location's URL, show Chinese glyphs, and come as one PDF page each."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw
from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app.models import Campaign, Location
from survey_app.posters import fonts
from survey_app.posters.render import A4
from survey_app.services.intake.links import short_url, survey_url
from survey_app.settings import Settings
from tests.factories import (
    add_member,
    login,
    make_campaign,
    make_user,
)


@pytest.fixture
def lead_campaign(client: TestClient, session: Session) -> tuple[Campaign, list[Location]]:
    campaign, locations = make_campaign(session, code="PO-1", locations=3)
    user = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="lead")
    login(client, "lead1")
    return campaign, locations


def test_png_decodes_to_exactly_the_location_url(
    client: TestClient, settings: Settings, lead_campaign: tuple[Campaign, list[Location]]
) -> None:
    _campaign, locations = lead_campaign
    for location in locations:
        png = client.get(f"/c/PO-1/posters/{location.code}.png")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(png.content))
        assert image.size == A4
        found = zxingcpp.read_barcodes(image)
        assert [r.text for r in found] == [survey_url(settings.base_url, settings.secret_key, location)]


def test_chinese_title_area_has_real_glyphs(
    client: TestClient, lead_campaign: tuple[Campaign, list[Location]]
) -> None:
    image = Image.open(io.BytesIO(client.get("/c/PO-1/posters/L01.png").content)).convert("L")
    title = np.asarray(image.crop((90, 200, 1150, 280)))  # the organisation's name, 测试物业
    assert (title < 128).sum() > 2000, "the title is drawn, not blank"
    bold = fonts.load(60, True)
    assert fonts.covers(bold, "测试物业调查要求截止时间"), "the bundled font has these glyphs"
    assert not fonts.covers(bold, "\U0002a6a5"), "a character outside GB 2312 is detected as missing"
    # the title is not a row of .notdef boxes: drawing the same text with boxes gives a different image
    boxes = Image.new("L", (1060, 80), 255)
    ImageDraw.Draw(boxes).text((0, 0), "\ue000" * 4, font=bold, fill=0)
    assert not np.array_equal(title, np.asarray(boxes))


def test_pdf_has_one_page_per_location(
    client: TestClient, lead_campaign: tuple[Campaign, list[Location]]
) -> None:
    pdf = client.get("/c/PO-1/posters.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.content)) == 3


def test_html_poster_has_requirements_deadline_and_url(
    client: TestClient, settings: Settings, lead_campaign: tuple[Campaign, list[Location]]
) -> None:
    _campaign, locations = lead_campaign
    page = client.get("/c/PO-1/posters/L02")
    assert page.status_code == 200
    for text in ("调查要求", "每户限填一份", "约需 2 分钟", "时效要求", "北京时间", "<svg"):
        assert text in page.text, text
    assert short_url(settings.base_url, locations[1]) in page.text, "the short address to type is printed"
    code = (locations[1].short_code or "").lower()
    typed = client.get(f"/q/{code[:3]}-{code[3:]}", follow_redirects=False)
    assert typed.status_code == 303, "the typed code opens the survey, in any case"
    assert typed.headers["location"] == survey_url("", settings.secret_key, locations[1])
    assert client.get("/q/AAAAAA", follow_redirects=False).status_code == 404


def test_english_poster(client: TestClient, lead_campaign: tuple[Campaign, list[Location]]) -> None:
    asked = client.get("/c/PO-1/posters/L01?poster=en").text
    assert "Survey requirements" in asked and "Deadline: " in asked
    desk_in_english = client.get("/c/PO-1/posters/L01?lang=en").text
    assert "调查要求" in desk_in_english, "an English desk still prints the residents' Chinese poster"


def test_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "font_paths", lambda setting="", weight="Regular": [])
    fonts.load.cache_clear()
    with pytest.raises(fonts.FontMissing, match="MINGCHA_CJK_FONT"):
        fonts.load(30)
    fonts.load.cache_clear()


def test_a_poster_code_collision_draws_again(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import survey_app.short_codes as codes

    campaign, locations = make_campaign(session, code="PC-1", locations=1)
    taken = locations[0].short_code
    draws = iter([taken, "ABCDEF"])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    from survey_app.models import Location

    fresh = Location(
        campaign_id=campaign.id or 0, code="L02", name="二号", token_nonce="n" * 12, short_code=taken
    )
    session.add(fresh)
    session.commit()
    assert fresh.short_code == "ABCDEF" and locations[0].short_code == taken
