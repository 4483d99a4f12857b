"""What a covert auditor's phone shows a clerk who glances at it, the way back to the list, a window that
says when it really ends, and a visit form that offers the campaign's own scripts for the kind of visit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app.settings import Settings
from survey_app.web.templating import time_range
from tests.factories import csrf_of
from tests.web.field_work import as_user, schedule, setup


def test_the_covert_part_reads_as_notes(session: Session, settings: Settings) -> None:
    _campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(
        lead, "V-1", ids["property-open-evaluation"], "covert", [users["f1"]], loc=locations[0].id
    )
    f1 = as_user(settings, "f1")
    token = csrf_of(f1, "/f")
    assert f1.post(f"/f/v/{visit}/checkin", data={"_csrf": token, "device_time": ""}).status_code == 303
    screens = [f1.get(f"/f/v/{visit}?step={n}").text for n in range(8)]
    covert = "".join(screens)
    assert "暗访" not in covert and "神秘" not in covert, "nothing on the covert screens names an audit"
    for word in ("很差", "很好", "非常满意", "非常不满意"):
        assert f">{word}<" not in covert, f"no visible rating words: {word}"
    assert 'class="scale discreet"' in covert and 'aria-label="很差"' in covert, (
        "screen readers still hear them"
    )
    last = next(s for s in screens if "/checkout" in s)
    assert "完成此部分" in last
    assert all('href="/f"' in s for s in screens), "the way back to my visits is on every screen"
    assert f1.post(f"/f/v/{visit}/checkout", data={"_csrf": token, "device_time": ""}).status_code == 303
    writeup = f1.get(f"/f/v/{visit}?step=0").text
    assert 'class="scale discreet"' not in writeup, "after leaving, the ratings are the ordinary ones"


def test_the_submitted_screen_leads_back(session: Session, settings: Settings) -> None:
    from tests.web.field_work import check_in_fill_and_submit

    _campaign, _locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-management-audit"], "open", [users["f1"]])
    f1 = as_user(settings, "f1")
    check_in_fill_and_submit(f1, visit, "4")
    done = f1.get(f"/f/v/{visit}").text
    assert "返回我的任务" in done and 'href="/f"' in done
    assert "已提交" in f1.get("/f").text


def test_a_window_across_days_says_so() -> None:
    start = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 11:00 in Beijing
    assert time_range(start, datetime(2026, 12, 2, 5, 0, tzinfo=UTC), "Asia/Shanghai") == "12-02 11:00–13:00"
    assert (
        time_range(start, datetime(2026, 12, 4, 5, 0, tzinfo=UTC), "Asia/Shanghai")
        == "12-02 11:00 – 12-04 13:00"
    )
    assert time_range(start, datetime(2027, 1, 2, 5, 0, tzinfo=UTC), "Asia/Shanghai") == (
        "2026-12-02 11:00 – 2027-01-02 13:00"
    )


def test_the_visit_form_offers_this_campaigns_scripts(session: Session, settings: Settings) -> None:
    _campaign, _locations, _users, ids = setup(session)
    lead = as_user(settings, "lead1")
    page = lead.get("/c/V-1/visits").text
    form = page[page.index('id="v-instrument"') : page.index("</select>", page.index('id="v-instrument"'))]
    ours = form[: form.index("</optgroup>")]
    selected = re.search(r'<option value="(\d+)"[^>]*selected', form)
    assert selected and int(selected.group(1)) == ids["property-open-evaluation"], (
        "a housing estate's covert visit defaults to the estate's covert script"
    )
    assert f'value="{ids["bank-mystery-customer"]}"' not in ours, "the bank's script is not the estate's"
    assert f'value="{ids["property-management-audit"]}"' in ours
    modes = dict(re.findall(r'<option value="(\d+)" data-modes="([a-z ]+)"', form))
    assert modes[str(ids["property-management-audit"])] == "open", "no covert items: open visits only"
    assert modes[str(ids["property-open-evaluation"])] == "covert open"
    assert modes[str(ids["property-resident-survey"])] == "interview"


def test_a_new_campaign_has_no_scheme_chosen_for_it(client: TestClient, session: Session) -> None:
    from tests.factories import login, make_user

    make_user(session, "lead9", ["lead"])
    login(client, "lead9")
    page = client.get("/campaigns/new").text
    scheme = page[page.index('id="f-scheme"') : page.index("</select>", page.index('id="f-scheme"'))]
    assert '<option value="">' in scheme and "selected" not in scheme
    assert "@" not in page.split('id="f-instrument"')[1].split("</select>")[0], "no internal keys"
