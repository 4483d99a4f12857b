"""Every user-facing string is extracted by Babel and translated in the zh_CN catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("survey_app/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extracted() -> set[str]:
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(locale: str) -> dict[str, object]:
    with (ROOT / "survey_app" / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        cat = read_po(fh)
    return {str(m.id[0] if isinstance(m.id, tuple | list) else m.id): m.string for m in cat if m.id}


def test_every_string_has_a_chinese_translation() -> None:
    strings = extracted()
    assert len(strings) > 40
    zh = catalog("zh_CN")
    missing = sorted(s for s in strings if not zh.get(s))
    assert missing == [], "run `make catalog` and translate these in zh_CN"


def test_no_stale_entries() -> None:
    assert set(catalog("zh_CN")) <= extracted()


def test_english_catalog_is_english() -> None:
    def has_cjk(text: object) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))

    with (ROOT / "survey_app" / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        leaked = [m.id for m in read_po(fh) if m.id and has_cjk(m.string) and not has_cjk(m.id)]
    assert leaked == []
