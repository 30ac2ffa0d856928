"""Places for anonymous discussion: the municipality's own units and their addresses
(from the directory), other institutions ("Lunde skole", "Sentrum helsestasjon"),
farms, streets and Norwegian place names (a gazetteer from GeoNames, see
events/place_names.py) become what they are: "[skole]", "[gård]", "[sted]".

A word that may be a place but may as well be a word ("Ski er fint") is not
replaced here; the anonymiser asks the unit leader about it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from events.redaction import starts_sentence
from events.redaction_words import (DETERMINERS, FUNCTION_WORDS, INSTITUTIONS, NEVER_NAMES, PLACE_ENDINGS,
                                    RELATION_WORDS)

__all__ = ["PLACEHOLDERS", "is_place_name", "looks_like_a_place", "place_spans"]

_INSTITUTION_OF = {word: placeholder for placeholder, words in INSTITUTIONS.items() for word in words.split()}
PLACEHOLDERS = frozenset(INSTITUTIONS) | {"[sted]", "[enhet]", "[adresse]", "[avdeling]"}

# Street names without a house number: only suffixes no common word ends in.
_STREET_RE = re.compile(
    r"(?<![\w-])(?:(?:Øvre|Nedre|Gamle|Nye|Store|Lille|Søndre|Nordre|Vestre|Østre)[ \t]+)?"
    r"[A-ZÆØÅ][a-zæøåé]{2,}(?:veien|vegen|gata|gaten|gate|stien|stigen|plassen|torget|alléen|allé)(?![\w-])"
)
_DEPARTMENT_RE = re.compile(r"(?<![\w])[Aa]vdeling(?:en)?[ \t]+[A-ZÆØÅ][\w-]+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_NOT_NAME_PARTS = FUNCTION_WORDS | NEVER_NAMES | RELATION_WORDS | DETERMINERS


# The gazetteer, compiled on first use ------------------------------------------------------

_gazetteer: re.Pattern[str] | None = None
_gazetteer_loading = threading.Lock()


def _place_pattern() -> re.Pattern[str]:
    global _gazetteer
    if _gazetteer is None:
        with _gazetteer_loading:
            if _gazetteer is None:
                from events.place_names import PLACE_NAMES

                names = sorted(set(PLACE_NAMES), key=len, reverse=True)
                _gazetteer = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")s?(?![\w-])")
    return _gazetteer


def is_place_name(word: str) -> bool:
    return _place_pattern().fullmatch(word) is not None


def looks_like_a_place(word: str) -> bool:
    """A capitalised word with a place name's ending, not an everyday word."""
    folded = word.casefold()
    return word[:1].isupper() and folded not in _NOT_NAME_PARTS and folded not in _INSTITUTION_OF and any(
        folded.endswith(e) and len(folded) >= len(e) + 3 for e in PLACE_ENDINGS)


# Spans --------------------------------------------------------------------------------------


def _local_patterns(local_names: Iterable[str]) -> list[tuple[re.Pattern[str], str]]:
    """The directory's names, longest first; a unit's own name alone ("Solsikken") too."""
    found: dict[str, str] = {}
    derived: dict[str, str] = {}
    for name in local_names:
        name = " ".join(name.split())
        if not name:
            continue
        words = [w.casefold() for w in _WORD.findall(name)]
        institution = next((_INSTITUTION_OF[w] for w in words if w in _INSTITUTION_OF), None)
        if re.search(r"\d", name):
            found[name.casefold()] = "[adresse]"
            continue
        found[name.casefold()] = institution or "[sted]"
        if institution:
            own = [w for w in _WORD.findall(name) if w.casefold() not in _INSTITUTION_OF and w.casefold() not in _NOT_NAME_PARTS]
            if own:
                derived.setdefault(" ".join(own).casefold(), "[enhet]")
    for name, placeholder in derived.items():
        found.setdefault(name, placeholder)
    ordered = sorted(found.items(), key=lambda kv: len(kv[0]), reverse=True)
    return [(re.compile(r"(?i)(?<![\w-])" + r"[ \t]+".join(map(re.escape, n.split())) + r"(?![\w-])"), p)
            for n, p in ordered]


def _institution_spans(text: str) -> list[tuple[int, int, str]]:
    """A capitalised name before an institution word: "Lunde skole", "Nordre Lie gård"."""
    spans = []
    words = list(_WORD.finditer(text))
    for i, w in enumerate(words):
        placeholder = _INSTITUTION_OF.get(w.group().casefold())
        if placeholder is None:
            continue
        start = None
        k = i - 1
        while k >= 0 and i - k <= 3 and re.fullmatch(r"[ \t]+", text[words[k].end():words[k + 1].start()]):
            word = words[k].group()
            if not word[0].isupper() or word.casefold() in _NOT_NAME_PARTS or word.casefold() in _INSTITUTION_OF:
                break
            start = words[k].start()
            k -= 1
        if start is not None:
            spans.append((start, w.end(), placeholder))
    return spans


def place_spans(text: str, local_names: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """(start, end, placeholder) for the places in `text`, without overlaps, in order."""
    candidates: list[tuple[int, int, int, str]] = []  # (priority, start, end, placeholder)
    for pattern, placeholder in _local_patterns(local_names):
        candidates += [(4, m.start(), m.end(), placeholder) for m in pattern.finditer(text)]
    candidates += [(3, s, e, p) for s, e, p in _institution_spans(text)]
    candidates += [(3, m.start(), m.end(), "[avdeling]") for m in _DEPARTMENT_RE.finditer(text)]
    candidates += [(2, m.start(), m.end(), "[adresse]") for m in _STREET_RE.finditer(text)]
    # A known place name mid-sentence is a place; at a sentence start it may be a word.
    candidates += [(1, m.start(), m.end(), "[sted]") for m in _place_pattern().finditer(text)
                   if not starts_sentence(text, m.start())]
    kept: list[tuple[int, int, str]] = []
    for _, start, end, placeholder in sorted(candidates, key=lambda c: (-c[0], c[1], c[1] - c[2])):
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, placeholder))
    return sorted(kept)
