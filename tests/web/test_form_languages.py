"""Issue 26: a form in any number of languages. An XLSForm written in German and French is imported with both,
the respondent reads it in the language they pick (the form's default first), and the form's own required and
constraint messages are shown in that language; integer questions take whole numbers only."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import SurveyResponse
from tests.conftest import form_token, survey_path
from tests.factories import make_campaign, serving_xlsform
from tests.xlsform_books import workbook

DE, FR = "label::Deutsch (de)", "label::Français (fr)"


FORM = workbook(
    [
        ["type", "name", DE, FR, "required", "required_message::Deutsch (de)",
         "required_message::Français (fr)", "constraint", "constraint_message::Deutsch (de)",
         "constraint_message::Français (fr)"],
        ["integer", "alter", "Wie alt sind Sie?", "Quel âge avez-vous ?", "yes", "Bitte Alter angeben",
         "Indiquez votre âge", ". >= 18", "Mindestens 18 Jahre", "18 ans au moins"],
        ["select_one jn", "zufrieden", "Sind Sie zufrieden?", "Êtes-vous satisfait ?", "no"],
    ],
    [["list_name", "name", DE, FR], ["jn", "yes", "Ja", "Oui"], ["jn", "no", "Nein", "Non"]],
    [["form_id", "form_title", "default_language"], ["umfrage", "Umfrage", "Français (fr)"]],
)  # fmt: skip


def _served(session: Session) -> str:
    return survey_path(serving_xlsform(session, "LANG-1", FORM)[0])


def test_the_respondent_reads_the_form_in_the_language_they_pick(
    client: TestClient, session: Session
) -> None:
    path = _served(session)
    page = client.get(path)
    assert page.status_code == 200 and "Quel âge avez-vous ?" in page.text, "the form's default language"
    assert "题目语言" in page.text and "Deutsch (de)" in page.text
    german = client.get(f"{path}?form_lang=Deutsch (de)")
    assert "Wie alt sind Sie?" in german.text and "Ja" in german.text and "Quel âge" not in german.text
    odd = client.get(f"{path}?form_lang=Klingon")
    assert odd.status_code == 200 and "Quel âge avez-vous ?" in odd.text, "an unknown language: the default"


def test_the_forms_own_messages_in_its_language_and_whole_numbers(
    client: TestClient, session: Session
) -> None:
    path = _served(session)

    def post(**fields: str) -> Any:
        token = form_token(client.get(f"{path}?form_lang=Deutsch (de)").text)
        data = {"_form": token, "_step": "submit", "_form_lang": "Deutsch (de)", **fields}
        return client.post(path, data=data)

    missing = post()
    assert missing.status_code == 422 and "Bitte Alter angeben" in missing.text
    assert "Wie alt sind Sie?" in missing.text, "the page comes back in the language the respondent chose"
    young = post(**{"a.alter": "17"})
    assert young.status_code == 422 and "Mindestens 18 Jahre" in young.text
    half = post(**{"a.alter": "18.5"})
    assert half.status_code == 422 and "请填写整数" in half.text
    assert session.exec(select(SurveyResponse)).all() == []
    done = post(**{"a.alter": "42", "a.zufrieden": "yes"})
    assert done.status_code == 303, done.text
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers == {"alter": 42, "zufrieden": "yes"}


def test_only_a_form_with_a_geopoint_ships_the_position_script(client: TestClient, session: Session) -> None:
    geo = workbook([["type", "name", "label", "required"], ["geopoint", "where", "Where?", "yes"]])
    locations = serving_xlsform(session, "GEO-1", geo)
    page = client.get(survey_path(locations[0]))
    assert "js/geopoint" in page.text and "data-geopoint" in page.text and "使用我的位置" in page.text
    plain, plain_locations = make_campaign(session, code="PLAIN-1")
    assert "js/geopoint" not in client.get(survey_path(plain_locations[0])).text, "no extra script"
    token = form_token(page.text)
    answer = client.post(survey_path(locations[0]), data={"_form": token, "_step": "submit", "a.where": "x"})
    assert answer.status_code == 422 and "请填写位置的纬度和经度" in answer.text


def test_a_cascading_select_offers_the_districts_of_the_chosen_city(
    client: TestClient, session: Session
) -> None:
    cascade = workbook(
        [
            ["type", "name", "label", "choice_filter", "required"],
            ["select_one city", "city", "城市", "", "yes"],
            ["select_one district", "district", "区", "city=${city}", "yes"],
        ],
        [
            ["list_name", "name", "label", "city"],
            ["city", "xm", "厦门", ""],
            ["city", "fz", "福州", ""],
            ["district", "sm", "思明", "xm"],
            ["district", "gl", "鼓楼", "fz"],
        ],
    )
    path = survey_path(serving_xlsform(session, "CASCADE-1", cascade)[0])
    first = client.get(path)
    assert "思明" not in first.text and "鼓楼" not in first.text and "请先回答上一题" in first.text
    assert 'hx-trigger="change"' in first.text, "choosing the city refreshes the list"
    token = form_token(first.text)
    refreshed = client.post(
        path, data={"_form": token, "_step": "refresh", "a.city": "xm"}, headers={"HX-Request": "true"}
    )
    assert "思明" in refreshed.text and "鼓楼" not in refreshed.text
    wrong = client.post(path, data={"_form": token, "_step": "submit", "a.city": "xm", "a.district": "gl"})
    assert wrong.status_code == 422 and "请从给出的选项中选择" in wrong.text, "鼓楼 is not in Xiamen"
    done = client.post(path, data={"_form": token, "_step": "submit", "a.city": "xm", "a.district": "sm"})
    assert done.status_code == 303
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers == {"city": "xm", "district": "sm"}
