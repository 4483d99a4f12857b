"""Issue 26: a form with select_one_from_file uploaded with its CSV list (one pick of several files on the
Instruments page, or `--media` on the command line); without the list it is refused by row in the reader's
language; "import without it" keeps the files that came with the workbook."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import InstrumentVersion
from tests.conftest import CliRun
from tests.factories import csrf_of, login, make_user
from tests.xlsform_books import workbook

FORM = workbook(
    [
        ["type", "name", "label", "required"],
        ["select_one_from_file towns.csv", "town", "哪个镇？", "yes"],
        ["geotrace", "road", "走的路线", "no"],
    ],
    settings=[["form_id", "form_title"], ["towns", "乡镇"]],
)
TOWNS = "name,label\nxiamen,厦门\nquanzhou,泉州\n".encode()


def _upload(client: TestClient, *files: tuple[str, bytes]) -> Any:
    return client.post(
        "/instruments",
        data={"_csrf": csrf_of(client)},
        files=[("file", (name, data)) for name, data in files],
    )


def test_the_list_comes_with_the_form_or_the_form_is_refused_by_row(
    client: TestClient, session: Session
) -> None:
    make_user(session, "lead1", ["lead"])
    session.commit()
    login(client, "lead1")
    page = client.get("/instruments")
    assert "multiple" in page.text and ".csv" in page.text and "CSV 文件与工作簿一起选择" in page.text
    alone = _upload(client, ("towns.xlsx", FORM))
    assert alone.status_code == 422
    assert "select_one_from_file 需要文件“towns.csv”" in alone.text and "第 2 行" in alone.text
    kept = re.search(r'name="without" value="([0-9a-f]{64})"', alone.text)
    assert kept is None, "a list that is missing is not a part to leave out: the question needs it"
    both = _upload(client, ("towns.xlsx", FORM), ("towns.csv", TOWNS))
    assert both.status_code == 422 and 'id="import-without"' in both.text, "the route is still refused"
    without = re.search(r'name="without" value="([0-9a-f]{64})"', both.text)
    media = re.findall(r'name="media" value="([0-9a-f]{64}:[^"]+)"', both.text)
    assert without is not None and len(media) == 1 and media[0].endswith(":towns.csv")
    done = client.post(
        "/instruments",
        data={
            "_csrf": csrf_of(client),
            "without": without.group(1),
            "filename": "towns.xlsx",
            "media": media,
        },
        files={"none": ("", b"")},
    )
    assert done.status_code == 200 and 'id="instrument-dropped"' in done.text
    stored = session.exec(select(InstrumentVersion).where(InstrumentVersion.instrument_id == "towns")).one()
    town = stored.definition["sections"][0]["items"][0]
    assert town["type"] == "single" and [o["value"] for o in town["options"]] == ["xiamen", "quanzhou"]
    odd = _upload(client, ("towns.csv", TOWNS))
    assert odd.status_code == 422 and "请选择 XLSForm 工作簿（.xlsx）" in odd.text, (
        "a list alone is not a form"
    )


def test_the_command_line_takes_the_lists(cli: CliRun, tmp_path: Path) -> None:
    simple = workbook(
        [["type", "name", "label"], ["select_one_from_file towns.csv", "town", "Town"]],
        settings=[["form_id"], ["town-cli"]],
    )
    (tmp_path / "form.xlsx").write_bytes(simple)
    (tmp_path / "towns.csv").write_bytes(TOWNS)
    code, out = cli("instrument", "import", str(tmp_path / "form.xlsx"))
    assert code == 2 and "needs its file 'towns.csv'" in out
    code, out = cli(
        "instrument", "import", str(tmp_path / "form.xlsx"), "--media", str(tmp_path / "towns.csv")
    )
    assert code == 0 and out.strip().splitlines()[-1] == "town-cli 1"
    code, out = cli(
        "instrument", "import", str(tmp_path / "form.xlsx"), "--media", str(tmp_path / "nope.csv")
    )
    assert code == 2 and "cannot read" in out
