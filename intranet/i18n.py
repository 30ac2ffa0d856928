"""Languages: Norwegian bokmål by default, English second. Message catalogues are
Babel .po files under intranet/locale, compiled to .mo at build time
(hatch_build.py); the language is chosen per request, from the user's own
setting, or a cookie before sign-in."""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = {"nb": "Norsk bokmål", "en": "English"}
DEFAULT = "nb"
COOKIE = "bk-lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT)


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalogue; the source language (nb) needs none.

    The .mo is built from the .po at build time (hatch_build.py). In a source
    checkout where the .po is newer than the .mo (or there is none), the
    catalogue is compiled in memory instead, so a stale build never shows."""
    if language == DEFAULT:
        return NullTranslations()
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    mo_path = po_path.with_suffix(".mo")
    if po_path.exists() and (not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain="messages")
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


def choose(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT


def babel_locale() -> str:
    return {"nb": "nb_NO", "en": "en_GB"}[current_language.get()]


def short_date(value: date) -> str:
    """23.11.2026 in Norwegian, 23 Nov 2026 in English."""
    if current_language.get() == DEFAULT:
        return value.strftime("%d.%m.%Y")
    return format_date(value, format="medium", locale=babel_locale())


def moment(value: datetime, tz) -> str:
    """23.11.2026 kl. 14.05 in Norwegian, 23 Nov 2026, 14:05 in English."""
    local = value.astimezone(tz)
    if current_language.get() == DEFAULT:
        return local.strftime("%d.%m.%Y kl. %H.%M")
    return format_datetime(local, format="d MMM y, HH:mm", locale=babel_locale())


def clock_time(value: datetime) -> str:
    """14.05 in Norwegian, 14:05 in English."""
    return value.strftime("%H.%M" if current_language.get() == DEFAULT else "%H:%M")


def translated(mapping: dict) -> dict:
    """A copy of a dict of marked (N_) words, translated into the current language."""
    return {key: gettext(text) for key, text in mapping.items()}
