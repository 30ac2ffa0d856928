"""Languages: Norwegian bokmål by default, English second. Message catalogues are
Babel .po files under intranet/locale, compiled to .mo at build time
(hatch_build.py); the language is chosen per request, from the user's own
setting, or a cookie before sign-in."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.support import NullTranslations, Translations

LANGUAGES = {"nb": "Norsk bokmål", "en": "English"}
DEFAULT = "nb"
COOKIE = "bk-lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT)


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalogue; the source language (nb) needs none."""
    if language == DEFAULT:
        return NullTranslations()
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
    local = value.astimezone(tz)
    if current_language.get() == DEFAULT:
        return local.strftime("%d.%m.%Y kl. %H.%M")
    return format_datetime(local, format="d MMM y, HH:mm", locale=babel_locale())
