"""Render the posters of a 15 x 16 estate (240 locations) into one PDF; print time, size and per-page cost.

.venv/bin/python bench/posters.py
"""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from survey_app import location_tokens  # noqa: E402
from survey_app.models import Campaign, Location  # noqa: E402
from survey_app.posters.content import poster_text  # noqa: E402
from survey_app.posters.render import pdf_bytes, png_bytes  # noqa: E402


def main() -> int:
    campaign = Campaign(
        code="WYW1-2026",
        name_zh="五缘湾1号 住宅物业服务认证 2026 顾客感知调查",
        organisation="厦门联发 · 五缘湾1号",
        certification_body="方圆标志认证集团",
        scheme_id=1,
        survey_instrument_id=1,
        starts_at=datetime(2026, 5, 1, tzinfo=UTC),
        deadline=datetime(2026, 6, 1, tzinfo=UTC),
        ip_salt="x",
    )
    texts = []
    for b in range(1, 16):
        for f in range(1, 17):
            loc = Location(
                campaign_id=1,
                code=f"B{b:02d}-F{f:02d}",
                name=f"{b}号楼 {f}层",
                token_nonce=location_tokens.new_nonce(),
            )
            texts.append(
                poster_text(
                    campaign,
                    loc,
                    f"https://survey.example.org/s/{location_tokens.location_token('k', loc.token_nonce)}",
                )
            )
    started = time.perf_counter()
    pdf = pdf_bytes(texts)
    elapsed = time.perf_counter() - started
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    started = time.perf_counter()
    png = png_bytes(texts[0])
    one_png = time.perf_counter() - started
    per_page = elapsed / pages * 1000
    print(f"posters PDF: {pages} pages, {len(pdf) / 1e6:.1f} MB, {elapsed:.1f} s ({per_page:.0f} ms/page)")
    print(f"one poster PNG: {len(png) / 1e3:.0f} KB, {one_png * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
