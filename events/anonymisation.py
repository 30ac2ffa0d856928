"""The text a unit leader brings to the resource team anonymously.

`redact` removes who the family is (names, numbers, addresses, birth dates);
`anonymise` also removes what lets a colleague recognise them: the day an event
happened (kept as its month, events/months.py), the unit, other institutions,
farms, streets and places (events/places.py). Sentences keep their capital
letters. What it cannot tell is left in place and listed in `uncertain`, for the
unit leader to keep or remove before the case is brought.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from events.months import month_spans
from events.places import PLACEHOLDERS, is_place_name, looks_like_a_place, place_spans
from events.redaction import Person, capitalise, redact, starts_sentence
from events.redaction_words import FUNCTION_WORDS, INSTITUTION_WORDS, NEVER_NAMES, ORDINARY, RELATION_WORDS

__all__ = ["Anonymised", "anonymise", "highlight", "remove_words"]

REMOVED = "[fjernet]"

_KNOWN = FUNCTION_WORDS | NEVER_NAMES | RELATION_WORDS | INSTITUTION_WORDS | ORDINARY
_WORD = re.compile(r"[^\W\d_]+")
_PLACEHOLDER = "(?:" + "|".join(map(re.escape, sorted(PLACEHOLDERS))) + ")"
_PLACE_BEFORE = re.compile(_PLACEHOLDER + r"[ \t]$")  # "[sted] Nord"
_PLACE_AFTER = re.compile(r"[ \t]" + _PLACEHOLDER)  # "Øvre [sted]"


@dataclass(frozen=True)
class Anonymised:
    text: str
    replacements: tuple[tuple[str, str], ...]  # (original, placeholder), in order, per step
    uncertain: tuple[str, ...]  # words left in place that the unit leader must confirm


def _apply(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[tuple[str, str]]]:
    out, replacements, position = [], [], 0
    for start, end, placeholder in spans:
        out.append(text[position:start])
        words = not placeholder.startswith("[")
        out.append(capitalise(placeholder) if words and starts_sentence(text, start) else placeholder)
        replacements.append((text[start:end], placeholder))
        position = end
    out.append(text[position:])
    return "".join(out), replacements


def _uncertain(text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for m in _WORD.finditer(text):
        word = m.group()
        if not word[0].isupper() or word.casefold() in _KNOWN or (word.isupper() and len(word) <= 5):
            continue
        if text[m.start() - 1:m.start()] == "[":  # a placeholder
            continue
        beside_a_place = (_PLACE_BEFORE.search(text, 0, m.start()) is not None
                          or _PLACE_AFTER.match(text, m.end()) is not None)
        if not starts_sentence(text, m.start()) or beside_a_place or is_place_name(word) or looks_like_a_place(word):
            found.setdefault(word)
    return tuple(found)


def anonymise(text: str, people: list[Person], local_names: Iterable[str] = ()) -> Anonymised:
    """`text` with the family, the days, the units and the places made general."""
    redacted = redact(text, people)
    dated, months = _apply(redacted.text, month_spans(redacted.text))
    placed, places = _apply(dated, place_spans(dated, local_names))
    return Anonymised(placed, redacted.replacements + tuple(months) + tuple(places), _uncertain(placed))


def _word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def highlight(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` in parts, each (part, is one of `words`), for showing them marked."""
    pattern = _word_pattern(words)
    if pattern is None:
        return [(text, False)] if text else []
    parts: list[tuple[str, bool]] = []
    position = 0
    for m in pattern.finditer(text):
        if m.start() > position:
            parts.append((text[position:m.start()], False))
        parts.append((m.group(), True))
        position = m.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def remove_words(text: str, words: Iterable[str]) -> str:
    """`text` with each of `words`, where it stands as a word, replaced by "[fjernet]"."""
    pattern = _word_pattern(words)
    return text if pattern is None else pattern.sub(REMOVED, text)
