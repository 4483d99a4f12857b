"""The certification schemes a campaign can be run under (rows for the seed's schemes).

The scoring rules of each scheme arrive as scheme files with the grading work; until then a scheme row names
the scheme and its standards, which is what campaign set-up needs.
"""

from __future__ import annotations

from sqlmodel import Session, select

from survey_app.models import Scheme

BUNDLED = (
    (
        "property-estate",
        "住宅物业服务认证",
        "Residential property service certification",
        ["GB/T 20647.9-2006", "F-RZ-ZY-04-ZZ-001 住宅物业服务认证评价规范"],
    ),
    (
        "homestay",
        "乡村民宿服务认证",
        "Rural homestay service certification",
        ["乡村民宿服务认证要求", "GB/T 39000-2020"],
    ),
    (
        "elderly-care",
        "养老机构服务认证",
        "Elderly-care institution service certification",
        ["CTSWSF-TS012-2021 养老机构服务认证评价规范", "GB/T 37276-2018"],
    ),
    (
        "bank-age-friendly",
        "银行营业网点适老服务认证",
        "Bank branch age-friendly service certification",
        ["T/BFIA012-2022 银行营业网点适老服务要求"],
    ),
)


def ensure_schemes(*, session: Session) -> dict[str, Scheme]:
    """Create the bundled scheme rows once; return them by code."""
    found = {s.code: s for s in session.exec(select(Scheme))}
    for code, zh, en, standards in BUNDLED:
        if code not in found:
            scheme = Scheme(code=code, name_zh=zh, name_en=en, definition={"standards": standards})
            session.add(scheme)
            found[code] = scheme
    session.commit()
    return found
