"""Translations: gettext catalogs kept with Babel (.po files), compiled in memory at start-up.

The current request's translations live in a context variable that Jinja2's i18n extension reads.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
COOKIE = "lang"
_ALIASES = {"zh": "zh_CN", "zh-cn": "zh_CN", "zh_cn": "zh_CN", "en": "en", "en-us": "en", "en_us": "en"}

_current: contextvars.ContextVar[NullTranslations] = contextvars.ContextVar("translations")
_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale")


def load_catalogs(directory: Path = LOCALE_DIR) -> dict[str, NullTranslations]:
    """Compile every locale's messages.po into gettext translations (English msgids pass through)."""
    catalogs: dict[str, NullTranslations] = {}
    for locale in LOCALES:
        po = directory / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            catalogs[locale] = NullTranslations()
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        catalogs[locale] = Translations(buf)
    return catalogs


def normalise(value: str | None) -> str | None:
    """Map a user-supplied language tag to a supported locale, or None."""
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


def from_accept_language(header: str | None) -> str | None:
    """The supported locale the browser prefers most (`Accept-Language`, q-values honoured), or None.

    Any Chinese tag (zh, zh-CN, zh-Hans, zh-TW...) reads the Chinese pages; any English tag the English ones.
    """
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "")[:512].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if "q=" in params:
            match = re.fullmatch(r"\s*q=([01](?:\.\d{0,3})?)\s*", params)
            if match is None:
                continue  # a weight we cannot read: that language is not asked for
            quality = float(match.group(1))
        primary = tag.strip().lower().split("-")[0].split("_")[0]
        locale = {"zh": "zh_CN", "en": "en"}.get(primary)
        if locale and quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, locale)
    return best[2] if best else None


def negotiate(request: Request) -> str:
    """Pick the locale: ?lang= first, then the cookie, then the browser's languages, then Chinese."""
    return (
        normalise(request.query_params.get("lang"))
        or normalise(request.cookies.get(COOKIE))
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LOCALE
    )


def activate(translations: NullTranslations, locale: str = DEFAULT_LOCALE) -> None:
    """Make these translations current for the rest of this context (one request)."""
    _current.set(translations)
    _locale.set(locale)


@functools.cache
def catalogs() -> dict[str, NullTranslations]:
    """The compiled catalogs, once per process."""
    return load_catalogs()


@contextlib.contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Translate in `locale` inside the block (a poster in the residents' language on an English desk)."""
    wanted = normalise(locale) or DEFAULT_LOCALE
    before_translations, before_locale = _current.get(NullTranslations()), current_locale()
    activate(catalogs()[wanted], wanted)
    try:
        yield
    finally:
        activate(before_translations, before_locale)


def gettext(message: str) -> str:
    """Translate with the current request's catalog."""
    return _current.get(NullTranslations()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a plural with the current request's catalog."""
    return _current.get(NullTranslations()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the conventional name Babel extracts
    """Mark a string for extraction without translating it now."""
    return message


def current_locale() -> str:
    """The current request's locale (for data that carries its own zh and en variants)."""
    return _locale.get(DEFAULT_LOCALE)


def pick(zh: str, en: str, locale: str | None = None) -> str:
    """The English text for an English reader when there is one, otherwise the Chinese."""
    return en if (locale or current_locale()).startswith("en") and en else zh


ZONE_NAMES = {
    "Asia/Shanghai": N_("Beijing time"),
    "Asia/Chongqing": N_("Beijing time"),
    "Asia/Urumqi": N_("Xinjiang time"),
    "Asia/Hong_Kong": N_("Hong Kong time"),
    "Asia/Macau": N_("Macao time"),
    "Asia/Taipei": N_("Taipei time"),
    "UTC": N_("Coordinated Universal Time"),
}


def zone_name(tz: str | None) -> str:
    """A time zone as a reader names it ("北京时间"), the zone's own name for the rest."""
    name = tz or "Asia/Shanghai"
    return gettext(ZONE_NAMES[name]) if name in ZONE_NAMES else name.replace("_", " ")
