"""A campaign's locations: imported from CSV or xlsx (every bad row listed), generated, rotated."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from tests.factories import csrf_of, logged_in_lead


def rewrite_xlsx(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item, change(body) if item.filename == name else body)
    return out.getvalue()


def test_7_xlsx_rows_are_counted_not_the_declared_dimension(client: TestClient, session: Session) -> None:
    campaign, _ = logged_in_lead(client, session)
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name"])
    for n in range(5002):
        sheet.append([f"X{n}", f"地点{n}"])
    buf = io.BytesIO()
    book.save(buf)
    lying = rewrite_xlsx(
        buf.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b'<dimension ref="A1:B5003"/>', b'<dimension ref="A1:B2"/>'),
    )
    page = client.post(
        f"/c/{campaign.code}/locations/import",
        files={"file": ("big.xlsx", lying)},
        data={"_csrf": csrf_of(client)},
    )
    assert page.status_code == 422 and "5000" in page.text
    assert "已添加" not in page.text
