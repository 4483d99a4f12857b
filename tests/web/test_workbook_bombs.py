"""Every .xlsx upload goes through one guard that reads the zip's directory before anything parses it: a
1.2 MB workbook whose shared strings unpack to a gigabyte gets a quick 422 and leaves memory where it was
(issue 24, finding 5). Peak memory is measured in a process of its own."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from forms.workbooks import MAX_PART, WorkbookRefused, check_archive
from forms.xlsform import read_xlsform
from tests.factories import csrf_of, logged_in_lead

ROOT = Path(__file__).resolve().parents[2]
GIGABYTE = 1024**3


def _bomb(unpacked: int) -> bytes:
    """A real workbook whose sharedStrings.xml unpacks to `unpacked` bytes (highly compressible)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "name"])
    sheet.append(["A1", "x"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                bomb.writestr(info, source.read(info.filename))
        head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        tail = b"</sst>"
        chunk = b"<si><t>" + b"A" * (1024 * 1024 - 15) + b"</t></si>"
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(head)
            written = len(head)
            while written + len(chunk) + len(tail) <= unpacked:
                part.write(chunk)
                written += len(chunk)
            part.write(tail)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    path.write_bytes(_bomb(GIGABYTE))
    return path


def test_the_bomb_is_small_and_unpacks_to_a_gigabyte(bomb: Path) -> None:
    assert bomb.stat().st_size < 3 * 1024 * 1024
    with zipfile.ZipFile(bomb) as archive:
        assert sum(i.file_size for i in archive.infolist()) > GIGABYTE - 2 * 1024 * 1024
    with pytest.raises(WorkbookRefused) as refused:
        check_archive(bomb.read_bytes())
    assert refused.value.code == "too_large" and "sharedStrings" in str(refused.value)


PROBE = """
import json, resource, sys
from pathlib import Path
from survey_app.services.campaigns.location_import import read_table
from forms.xlsform import read_xlsform
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows, result = read_table("bomb.xlsx", data)
form = read_xlsform(data, source="bomb.xlsx")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after, "rows": len(rows), "errors": len(result.errors),
                  "form_problems": [p.reason for p in form.problems]}))
"""


def test_reading_the_bomb_leaves_peak_memory_where_it_was(bomb: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(bomb)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["rows"] == 0 and found["errors"] == 1
    assert any("unpacks to far more" in p for p in found["form_problems"])
    grown_mb = (found["after_kb"] - found["before_kb"]) / 1024
    assert grown_mb < 16, f"peak memory grew by {grown_mb:.0f} MB reading a refused workbook"


def test_uploading_the_bomb_is_a_422_in_the_reader_s_language(
    client: TestClient, session: Session, bomb: Path
) -> None:
    campaign, _locations = logged_in_lead(client, session, code="BOMB-1")
    data = bomb.read_bytes()
    page = client.post(
        f"/c/{campaign.code}/locations/import",
        data={"_csrf": csrf_of(client)},
        files={"file": ("l.xlsx", data)},
    )
    assert page.status_code == 422 and "远超" in page.text
    form = client.post("/instruments", data={"_csrf": csrf_of(client)}, files={"file": ("f.xlsx", data)})
    assert form.status_code == 422 and "解压后远超" in form.text


def test_a_workbook_just_within_the_part_limit_still_opens() -> None:
    fine = _bomb(MAX_PART // 2)
    check_archive(fine)
    assert not read_xlsform(fine).problems or all(
        "unpacks" not in p.reason for p in read_xlsform(fine).problems
    )
