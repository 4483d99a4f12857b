"""Translations: gettext catalogs kept with Babel (.po files), compiled in memory at start-up.

The current request's translations live in a context variable that Jinja2's i18n extension reads.
"""

from __future__ import annotations

import contextvars
import io
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


def negotiate(request: Request) -> str:
    """Pick the locale: ?lang= first, then the cookie, then Chinese."""
    return (
        normalise(request.query_params.get("lang"))
        or normalise(request.cookies.get(COOKIE))
        or DEFAULT_LOCALE
    )


def activate(translations: NullTranslations, locale: str = DEFAULT_LOCALE) -> None:
    """Make these translations current for the rest of this context (one request)."""
    _current.set(translations)
    _locale.set(locale)


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
