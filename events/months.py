"""Dates made general for anonymous discussion: the day goes, the month stays.

"12.11.2026", "12. november", "tirsdag 12. november" and "den 2. og 16. november"
all become "i november"; after "siden", "fra", "innen" and the like the month
stands alone ("siden november"). Times ("kl. 14.30"), weeks ("uke 41") and years
are kept: they do not single out a family the way a day does.
"""

from __future__ import annotations

import re

__all__ = ["month_spans"]

MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember")
_ABBREVIATED = {m[:3]: m for m in MONTHS} | {"sept": "september", "okt": "oktober", "des": "desember"}
# A full month takes no dot (the dot after "12. november." ends the sentence); "nov." does.
_MONTH_WORDS = "|".join(MONTHS) + "|(?:" + "|".join(sorted(_ABBREVIATED, key=len, reverse=True)) + r")\.?"
_WEEKDAYS = "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag"

_DAY = r"(?<![\d.,:/])(?:0?[1-9]|[12]\d|3[01])\.?"
_DAYS = rf"{_DAY}(?:[ \t]*(?:,|og|til|–|-)[ \t]*{_DAY})*"
_NUMERIC = (
    r"(?<![\d.,:/])(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?:\d{4}|\d{2})(?![\d])"  # 12.11.2026, 12/11-26
    r"|(?<![\d.,:/])\d{4}-(?P<iso_m>\d{2})-\d{2}(?![\d])"  # 2026-11-12
    r"|(?<![\d.,:/])(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?![\d\w])"  # 12.11.
)
_NAMED = rf"(?:fra[ \t]+(?={_DAY}[ \t]*(?:til|–|-)))?{_DAYS}[ \t]*(?P<name>{_MONTH_WORDS})(?![\w])(?:[ \t]+\d{{4}}(?![\d]))?"
_DATE_RE = re.compile(
    rf"(?i)(?:(?<![\w])(?:{_WEEKDAYS})[ \t]+)?(?:(?<![\w])(?:den|d\.)[ \t]+)?(?:{_NAMED}|{_NUMERIC})"
)
# After these the month stands alone: "siden november", not "siden i november".
_BARE_AFTER = frozenset("siden fra til innen før etter over rundt mellom gjennom medio ultimo primo".split())
_TIME_WORDS = frozenset(("kl", "klokka", "klokken", "ca"))
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)\.?[ \t]+$")


def _month_of(m: re.Match[str]) -> str | None:
    if m.group("name"):
        word = m.group("name").casefold().rstrip(".")
        return word if word in MONTHS else _ABBREVIATED.get(word)
    day, month = (m.group("d"), m.group("m")) if m.group("d") else (m.group("d2") or "1", m.group("m2") or m.group("iso_m"))
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return MONTHS[int(month) - 1]


def month_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every date in `text` that names a day."""
    spans = []
    for m in _DATE_RE.finditer(text):
        month = _month_of(m)
        previous = _PREVIOUS_WORD.search(text, 0, m.start())
        word = previous.group(1).casefold() if previous else ""
        if month is None or (word in _TIME_WORDS and not m.group("name")):
            continue  # "kl. 14.30." is a time
        start = m.start()
        if word in ("i", "på", "om") and previous:
            start = previous.start()  # "på 12. november" → "i november"
        spans.append((start, m.end(), month if word in _BARE_AFTER else f"i {month}"))
    return spans
