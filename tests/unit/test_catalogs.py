"""Every user-facing string is extracted by Babel and translated in the zh_CN catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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


# What a reader sees: every message rendered, plural forms included, with sample numbers.

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|\{(\w+)\}")
CJK = re.compile(r"[\u3400-\u9fff]")
# ASCII punctuation written against Chinese text, and full-width punctuation in English text.
ASCII_IN_ZH = re.compile(r"[\u3400-\u9fff][,:;!?]|[\u3400-\u9fff]\(|\)[\u3400-\u9fff]")
WIDE_PUNCTUATION = re.compile(r"[，。：；！？（）【】「」、]")
PAIRS = [("（", "）"), ("(", ")"), ("【", "】"), ("[", "]"), ("「", "」"), ("“", "”"), ("《", "》")]
# English words a Chinese page may carry: names of formats, standards and tools, units, codes people type.
ALLOWED_LATIN = set(
    """
    QR CSV XLSX xlsx JSONL JSON API PDF URL ID XLSForm HTTPS HTTP SVG PNG JPEG Excel ODK KoboToolbox
    Kobo Ona SurveyCTO JavaScript Wilson kappa Cohen Mingcha MB KB GB ms px GPS EXIF WiFi Wi Fi IP SMS
    YAML Bearer Authorization PIN AUC ROC JWS JWK EdDSA Ed SHA RFC ISO IEC CNAS T N A AED OK iOS WeChat
    Android token cookie lang en zh CN Noto Sans SC TTF OTF PIPL Huey Redis huey UTF GBK csv Asia
    Shanghai WYW after limit code name building floor entrance target Mac iPhone iPad OpenAPI Chrome Edge
    Firefox Safari Windows Linux type name label choices survey settings dimensions required yes no
    constraint relevant begin end group string length n yaml Word PNG range start end step choice_filter
    repeat kind count sum max min selected
    """.split()
)


def rendered(text: str, number: int) -> str:
    values: dict[str, object] = {}
    for match in PLACEHOLDER.finditer(text):
        values[match.group(1) or match.group(2)] = number
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1) or m.group(2)]), text)  # one pass: "${%(a)s}"


def forms(locale: str) -> list[tuple[str, str, set[str]]]:
    """(msgid, rendered msgstr, msgid's placeholders) for every form of every message, at 1, 2 and 12."""
    with (ROOT / "survey_app" / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        cat = read_po(fh, locale=locale)
    out: list[tuple[str, str, set[str]]] = []
    for m in cat:
        if not m.id:
            continue
        ids = list(m.id) if isinstance(m.id, tuple | list) else [m.id]
        strings = [str(x or "") for x in m.string] if isinstance(m.string, tuple | list) else [m.string or ""]
        wanted = {a or b for i in ids for a, b in PLACEHOLDER.findall(i)}
        for string in strings:
            for number in (1, 2, 12):
                out.append((ids[0], rendered(string, number) if string else "", wanted))
            got = {a or b for a, b in PLACEHOLDER.findall(string)}
            assert got <= wanted, (locale, ids[0], "a placeholder the code does not fill", got - wanted)
    return out


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_message_renders_cleanly(locale: str) -> None:
    problems: list[str] = []
    for msgid, text, _wanted in forms(locale):
        if not text:
            continue
        if re.match(r"^\s*[\]\)\"'”」】]", text) or text.startswith(("('", '("')):
            problems.append(f"stray bracket or quote at the start: {text!r}")
        if "%(" in text or re.search(r"%[sd]\b", text):
            problems.append(f"an unfilled placeholder: {text!r}")
        for left, right in PAIRS:
            if text.count(left) != text.count(right):
                problems.append(f"unbalanced {left}{right}: {text!r}")
        if locale == "en" and WIDE_PUNCTUATION.search(text) and not CJK.search(msgid):
            problems.append(f"Chinese punctuation in English: {text!r}")
    assert problems == [], "\n".join(problems)


def test_chinese_messages_read_as_chinese() -> None:
    problems: list[str] = []
    for msgid, text, _wanted in forms("zh_CN"):
        if not text or not CJK.search(msgid + text):
            continue
        if ASCII_IN_ZH.search(text):
            problems.append(f"ASCII punctuation in Chinese: {text!r}")
        plain = re.sub(r"https?://\S+|`[^`]*`|\S+\.\w{2,5}\b", "", text)
        # words of two letters or more; codes people type (K7M-4QX, WYW1-2027) are letters with digits
        words = set(re.findall(r"(?<![A-Za-z0-9_-])[A-Za-z]{2,}(?![A-Za-z0-9_])", plain))
        stray = words - ALLOWED_LATIN
        if stray:
            problems.append(f"English words {sorted(stray)} in: {text!r}")
    assert problems == [], "\n".join(problems)
    for msgid, text, wanted in forms("zh_CN"):
        if wanted and text and not CJK.search(text) and CJK.search(msgid) is None and len(msgid) > 24:
            problems.append(f"untranslated: {msgid!r}")
    assert problems == []
