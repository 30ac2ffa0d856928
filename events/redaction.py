"""Redaction of a concern before a unit leader brings it, anonymously, to the
interdisciplinary resource team.

`redact(text, people)` removes what identifies the child and the family, and
keeps what the team needs to judge the case (what happened, and when):

- the registered names of the child and the guardians, in any letter case,
  alone or together, hyphenated, and in the genitive ("Olas", "Ola's"), are
  replaced by the person's role ("barnet", "mor"); a surname shared by several
  of them becomes "[etternavn]";
- national identity numbers and D-numbers (mod-11 checked) → "[fødselsnummer]";
- Norwegian phone numbers → "[telefon]"; e-mail addresses → "[e-post]";
- street addresses → "[adresse]"; a post code with its place → "[poststed]";
- dates after a birth marker ("født", "f.", "fødselsdato") → "[fødselsdato]";
  other dates are events of the case and are kept;
- other people's names, found by a gazetteer of first names and surnames or
  after a relation word ("naboen", "tante", "læreren") → "[navn]".

Pure domain code: the only I/O is reading the name lists from Faker, on first use.
"""

from __future__ import annotations

import importlib
import re
import threading
from dataclasses import dataclass

from events.national_id import has_valid_checksum
from events.redaction_words import (
    ABBREVIATIONS, AMBIGUOUS_FIRST_NAMES, CHILD_WORDS, FUNCTION_WORDS, INSTITUTION_WORDS, MONTH_ABBREVIATIONS, MONTHS,
    NEVER_NAMES, PERSON_VERBS, POSSESSIVES, RELATION_WORDS, TITLE_ABBREVIATIONS,
)

__all__ = ["Person", "Redaction", "capitalise", "redact", "starts_sentence"]


@dataclass(frozen=True)
class Person:
    """A registered person: the child or a guardian, and the word that replaces them."""

    name: str
    role: str  # "barnet", "mor", "far", "medmor", "foresatt", or "[navn]"


@dataclass(frozen=True)
class Redaction:
    text: str
    # (original text, placeholder), in the order found in the text.
    replacements: tuple[tuple[str, str], ...]


# Placeholders ---------------------------------------------------------------

NAME = "[navn]"
SURNAME = "[etternavn]"
NATIONAL_ID = "[fødselsnummer]"
PHONE = "[telefon]"
EMAIL = "[e-post]"
ADDRESS = "[adresse]"
POSTCODE = "[poststed]"
BIRTH_DATE = "[fødselsdato]"

# Overlapping finds: the higher priority wins (an e-mail address that contains
# a name is one e-mail address; a street named after a person is an address).
_PRIORITY = {
    EMAIL: 90,
    NATIONAL_ID: 80,
    PHONE: 70,
    ADDRESS: 60,
    BIRTH_DATE: 55,
    POSTCODE: 50,
}
_PRIORITY_REGISTERED = 40
_PRIORITY_OTHER_NAME = 30


# The gazetteer -----------------------------------------------------------------

# The name lists are Faker's person providers (PyPI "faker", >=40.54,<41; the
# lists change between major versions, so the bound is deliberate). no_NO is
# the core; sv_SE and da_DK add Nordic names common in Norway, and sv_SE also
# carries many names of Somali, Arabic and Persian origin (Abdi, Ahmed,
# Fatima, Zahra); pl_PL and lt_LT cover the two largest immigrant groups and
# en_PK Pakistani names. They are read once per process, when first needed
# (`name_lists`): most processes never redact.
_LOCALES = ("no_NO", "sv_SE", "da_DK", "pl_PL", "lt_LT", "en_PK")
_FIRST_NAME_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female")
_SURNAME_ATTRIBUTES = ("last_names", "male_last_names", "female_last_names", "unisex_last_names")


def _words_of(value: object) -> set[str]:
    # Providers keep names in tuples, lists or (weighted) dicts; a few
    # attributes are properties, which a class does not iterate.
    if not isinstance(value, (tuple, list, dict, set, frozenset)):
        return set()
    words: set[str] = set()
    for entry in value:
        for word in re.split(r"[\s-]+", str(entry)):
            if len(word) >= 2 and word.isalpha():
                words.add(word.casefold())
    return words


def _polish_feminine(surnames: set[str]) -> set[str]:
    # pl_PL lists "Kowalski"; a girl or her mother is "Kowalska".
    return {s[:-1] + "a" for s in surnames if s.endswith(("ski", "cki", "dzki"))}


def _load_gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    first: set[str] = set()
    last: set[str] = set()
    for locale in _LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in _FIRST_NAME_ATTRIBUTES:
            first |= _words_of(getattr(provider, attribute, None))
        for attribute in _SURNAME_ATTRIBUTES:
            last |= _words_of(getattr(provider, attribute, None))
    last |= _polish_feminine(last)
    last -= {"doe"}  # the placeholder surname of providers without a list
    excluded = FUNCTION_WORDS | NEVER_NAMES
    return frozenset(first - excluded), frozenset(last - excluded)


_name_lists: tuple[frozenset[str], frozenset[str]] | None = None
_name_lists_loading = threading.Lock()


def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """The gazetteer's (first names, surnames), loaded on the first call; threads
    that call meanwhile wait for that one load."""
    global _name_lists
    if _name_lists is None:
        with _name_lists_loading:
            if _name_lists is None:
                _name_lists = _load_gazetteer()
    return _name_lists


# Patterns -----------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"{_LETTER}+")
_APOSTROPHE_GENITIVE = re.compile(rf"['’´]s(?!{_LETTER})")
_BARE_APOSTROPHE_GENITIVE = re.compile(r"['’´](?=[ \t]+[a-zæøå])")  # "Lars' sekk"
_JOIN = re.compile(r"[ \t\u00a0]{1,2}|-")
_SENTENCE_SKIP = " \t\u00a0\"«»“”„'‘’()[]—–-*•"
_SENTENCE_END = ".!?:;"
_OPENING_QUOTES = "«“„"

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

# Fødselsnummer and D-number: six digits (the date) and five, together or apart.
_NATIONAL_ID_RE = re.compile(r"(?<![\d])(\d{6})[ \u00a0.-]?(\d{5})(?![\d])")

# Eight digits starting with 2-9, as written in Norway: 41234567, 412 34 567,
# 41 23 45 67; optionally after +47, 0047 or (+47).
_SP = r"[ \u00a0]"
_PHONE_BODY = rf"(?:[2-9]\d{{7}}|[2-9]\d{{2}}{_SP}\d{{2}}{_SP}\d{{3}}|[2-9]\d(?:{_SP}\d{{2}}){{3}})"
_PHONE_RE = re.compile(
    r"(?:(?<![\w+])(?:\+47|0047)[ \u00a0]?|\(\+47\)[ \u00a0]?|(?<![\d+]))" + _PHONE_BODY + r"(?![\d])"
)

# After a phone word, any grouping of the eight digits: "mobil 9087 6543".
_PHONE_IN_CONTEXT_RE = re.compile(
    r"(?i)(?<![\w])(?:tlf|tlfnr|telefon|telefonnummer|mobil|mobilnummer|mob|nummer|nr|ring|ringe|sms)"
    r"\.?[ \t]*:?[ \t]*(?:på[ \t]+)?"
    r"(?P<number>(?:(?:\+47|0047)[ \u00a0]?)?[2-9](?:[ \u00a0.-]?\d){7})(?![\d])"
)

_STREET_SUFFIXES = (
    "veien", "vegen", "veg", "vei", "gata", "gaten", "gate", "stien", "stigen", "sti",
    "plassen", "plass", "torget", "torg", "alléen", "allé", "alleen", "alle", "bakken",
    "bakke", "lia", "lien", "li", "haugen", "ringen", "tunet", "svingen", "kroken",
    "brekka", "brekke", "jordet", "åsen", "løkka", "lunden", "grenda", "tråkket",
    "bråten", "enga", "myra", "sletta", "kollen", "vika", "terrassen", "terrasse",
    "parken", "kaia", "kaien", "bryggen", "skogen", "dalen", "toppen", "kleiva",
    "feltet", "stubben", "hagen", "moen", "berget", "strand", "stranda",
)
_SUFFIX_ALTERNATION = "|".join(sorted(_STREET_SUFFIXES, key=len, reverse=True))
_PLACE = r"[A-ZÆØÅ][a-zæøåéèüö]+(?:-[A-ZÆØÅa-zæøå][a-zæøåéèüö]+)*"
# Not a date ("Lia 30. april", "3.5.") nor a time ("kl. 14.30").
# Nor a count ("skoleveien 2 ganger").
_COUNTED = "ganger|gang|dager|dag|døgn|uker|uke|måneder|måned|år|timer|time|minutter|kr|kroner|prosent|barn|elever|stk"
_HOUSE_NUMBER = (
    r"\d{1,3}(?:[A-Za-z]|[ \t][A-H])?(?![\w])(?!\.[ \t]*(?:\d|[a-zæøå]{3,}))(?![.:]\d)"
    rf"(?![ \t]+(?:{_COUNTED})(?![\w]))"
)
_POSTAL = rf"(?:,?[ \t]+\d{{4}}[ \t]+{_PLACE})?"
_STREET_PREFIXES = (
    "Øvre|Nedre|Gamle|Nye|Store|Lille|Søndre|Nordre|Vestre|Østre|Indre|Ytre|Kong|Dronning|Prins|Prinsesse"
)
# "Storgata 12B", "Øvre Lyngveien 17, 1234 Fjordvik".
_STREET_ONE_WORD_RE = re.compile(
    rf"(?<![\w-])(?:(?:{_STREET_PREFIXES})[ \t]+)*(?=[A-ZÆØÅ])[\w'’-]*?(?i:{_SUFFIX_ALTERNATION})"
    rf"[ \t]+{_HOUSE_NUMBER}{_POSTAL}"
)
# "Kong Oscars gate 5", "Thorvald Meyers gate 10", "Ola Nordmanns vei 3".
_STREET_WORDS_RE = re.compile(
    rf"(?<![\w-])(?:[A-ZÆØÅ][\w'’.-]*[ \t]+){{1,3}}"
    rf"(?:gate|gata|vei|veg|vegen|veien|allé|alle|plass|terrasse|bakke|torg)[ \t]+{_HOUSE_NUMBER}{_POSTAL}"
)
# Written in lower case: "bor i storgata 12", "lyngveien 17".
_STREET_LOWER_CASE_RE = re.compile(
    rf"(?<![\w-])[a-zæøå][\w-]{{2,}}?(?:veien|vegen|gata|gaten|stien|gate)[ \t]+{_HOUSE_NUMBER}{_POSTAL}"
)
_PO_BOX_RE = re.compile(rf"(?<![\w])(?i:postboks)[ \t]+\d{{1,5}}(?![\w]){_POSTAL}")
_POSTCODE_RE = re.compile(rf"(?<![\w.,:/-])(\d{{4}})[ \t]+({_PLACE})")
_YEAR_CONTEXT = frozenset(
    ("i", "år", "året", "siden", "høsten", "våren", "sommeren", "vinteren", "julen",
     "påsken", "skoleåret", "barnehageåret", "kl", "klokka", "klokken", "innen", "før", "etter")
    + MONTHS + MONTH_ABBREVIATIONS
)

_MONTH_NAMES = "|".join(MONTHS + MONTH_ABBREVIATIONS)
_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}\.?[ \t]*(?:{_MONTH_NAMES})\.?(?:[ \t]+\d{{4}})?"
    r"|\d{1,2}[./]\d{1,2}"
    rf"|(?:{_MONTH_NAMES})\.?[ \t]+\d{{4}}"
    r"|\d{4})(?![\d])"
)
_DATE_WITH_YEAR = (
    r"(?:\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}\.?[ \t]*(?:{_MONTH_NAMES})\.?[ \t]+\d{{4}})(?![\d])"
)
_BIRTH_RE = re.compile(
    r"(?i)(?<![\w])(?:født|fødd|f\.|fødselsdato|fødselsdag|f\.dato|fdato)"
    r"(?:[ \t]*:)?[ \t]*(?:den[ \t]+|d\.[ \t]*)?(?:i[ \t]+)?"
    rf"(?P<date>{_DATE})"
)
# "Ola Nordmann (12.03.2019)", "Ola Nordmann, 12.03.2019": a date with a year
# right after a registered name is taken for the birth date.
_DATE_AFTER_NAME_RE = re.compile(
    rf"(?i)(?:[ \t]*\([ \t]*(?P<paren>{_DATE_WITH_YEAR})[ \t]*\)|,[ \t]*(?P<comma>{_DATE_WITH_YEAR})(?=[\s,.;)]|$))"
)
_MONTH_CONTEXT_RE = re.compile(
    r"(?i)(?:\d\.?|\b(?:i|fra|til|siden|innen|neste|forrige|hele|av|over|etter|før|medio|ultimo|primo))[ \t]+$"
)


# Spans -----------------------------------------------------------------------------


@dataclass
class _Span:
    start: int
    end: int
    placeholder: str
    priority: int


def _structural_spans(text: str) -> list[_Span]:
    spans: list[_Span] = []

    def add(start: int, end: int, placeholder: str) -> None:
        spans.append(_Span(start, end, placeholder, _PRIORITY[placeholder]))

    for m in _EMAIL_RE.finditer(text):
        add(m.start(), m.end(), EMAIL)
    for m in _NATIONAL_ID_RE.finditer(text):
        if has_valid_checksum(m.group(1) + m.group(2)):
            add(m.start(), m.end(), NATIONAL_ID)
    for m in _PHONE_RE.finditer(text):
        add(m.start(), m.end(), PHONE)
    for m in _PHONE_IN_CONTEXT_RE.finditer(text):
        add(m.start("number"), m.end("number"), PHONE)
    for pattern in (_STREET_ONE_WORD_RE, _STREET_WORDS_RE, _PO_BOX_RE):
        for m in pattern.finditer(text):
            start = _skip_leading_function_words(text, m.start(), m.end())
            if _is_street(text[start:m.end()]):
                add(start, m.end(), ADDRESS)
    for m in _STREET_LOWER_CASE_RE.finditer(text):
        add(m.start(), m.end(), ADDRESS)
    for m in _POSTCODE_RE.finditer(text):
        if _is_postcode(text, m):
            add(m.start(), m.end(), POSTCODE)
    for m in _BIRTH_RE.finditer(text):
        add(m.start("date"), m.end("date"), BIRTH_DATE)
    return spans


def _skip_leading_function_words(text: str, start: int, end: int) -> int:
    # "I Kong Oscars gate 5": the address starts at "Kong".
    while True:
        m = _TOKEN.match(text, start, end)
        if not m or m.group().casefold() not in FUNCTION_WORDS:
            return start
        rest = re.match(r"[ \t]+", text[m.end():end])
        if not rest:
            return start
        start = m.end() + rest.end()


# Words that end like a street but are not one: "Alle 3 barna", "Barnehagen 2".
_NOT_STREETS = frozenset(
    """
    alle allé li sti vei veg gate gata plass torg bakke strand brekke hagen barnehagen
    dalen skogen parken toppen berget moen enga myra
    """.split()
)


def _is_street(candidate: str) -> bool:
    first = _TOKEN.match(candidate)
    if not first or not first.group()[0].isupper():
        return False
    words = _TOKEN.findall(candidate.split(",")[0])
    # "Juli 12" is a date, not a street in "-li"; "Alle 3" is everyone.
    if any(w.casefold() in MONTHS for w in words):
        return False
    street = [w for w in words if len(w) > 1]  # not the house letter
    return not (len(street) == 1 and street[0].casefold() in _NOT_STREETS)


def _is_postcode(text: str, m: re.Match[str]) -> bool:
    place = m.group(2)
    if place.casefold() in FUNCTION_WORDS or place.casefold() in RELATION_WORDS:
        return False
    before = _TOKEN.findall(text[max(0, m.start() - 30):m.start()])
    previous = before[-1].casefold() if before else ""
    if previous in _YEAR_CONTEXT:
        return False
    number = int(m.group(1))
    if previous in ("fra", "til", "mellom", "og") and 1950 <= number <= 2039:
        return False  # "fra 2019 Barnet ..."
    return True


# Tokens and names ---------------------------------------------------------------


@dataclass
class _Token:
    start: int
    end: int  # after any apostrophe genitive
    word: str
    apostrophe: bool  # "Ola's", "Lars'"


@dataclass
class _Registered:
    persons: frozenset[int]
    given: frozenset[int]  # the persons for whom it is a given name
    genitive: bool


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        end, apostrophe = m.end(), False
        g = _APOSTROPHE_GENITIVE.match(text, end)
        if g is None and m.group()[-1] in "sxzSXZ":
            g = _BARE_APOSTROPHE_GENITIVE.match(text, end)
        if g is not None:
            end, apostrophe = g.end(), True
        tokens.append(_Token(m.start(), end, m.group(), apostrophe))
    return tokens


def _name_index(people: list[Person]) -> dict[str, dict[int, bool]]:
    """Each casefolded name part → {person index: is a given name}."""
    index: dict[str, dict[int, bool]] = {}
    for p, person in enumerate(people):
        words = person.name.split()
        for w, word in enumerate(words):
            given = len(words) == 1 or w < len(words) - 1
            for part in _TOKEN.findall(word):
                owners = index.setdefault(part.casefold(), {})
                owners[p] = owners.get(p, False) or given
    return index


def _registered(token: _Token, index: dict[str, dict[int, bool]]) -> _Registered | None:
    word = token.word.casefold()
    owners, genitive = index.get(word), token.apostrophe
    if owners is None and not token.apostrophe and len(word) > 2 and word.endswith("s"):
        owners, genitive = index.get(word[:-1]), True  # "Olas", "Nordmanns"
    if not owners:
        return None
    return _Registered(
        frozenset(owners), frozenset(p for p, given in owners.items() if given), genitive
    )


def _gazetteer(word: str) -> tuple[str | None, bool]:
    """("first" | "last" | None, genitive) for a capitalised word."""
    if word.isupper() and len(word) <= 3:
        return None, False  # an acronym: "LIS", "MIA", "ADA"
    w = word.casefold()
    first_names, surnames = name_lists()
    for candidate, genitive in ((w, False), (w[:-1], True)):
        if genitive and (len(w) <= 3 or not w.endswith("s")):
            break
        if candidate in first_names:
            return "first", genitive
        if candidate in surnames:
            return "last", genitive
    return None, False


def _capitalised(word: str) -> bool:
    return word[0].isupper()


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` begins a sentence (or a line, or direct speech)."""
    k = start - 1
    while k >= 0 and text[k] in _SENTENCE_SKIP:
        if text[k] in _OPENING_QUOTES or (text[k] == '"' and (k == 0 or text[k - 1] in " \t\n(:")):
            return True  # direct speech starts a sentence: sa «Hans bror slo meg»
        k -= 1
    if k < 0 or text[k] == "\n" or "\n" in text[k:start]:
        return True
    if text[k] not in _SENTENCE_END:
        return False
    if text[k] == ".":
        previous = re.search(rf"{_LETTER}+$", text[:k])
        return previous is None or previous.group().casefold() not in ABBREVIATIONS
    return True


def capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


class _NameFinder:
    def __init__(self, text: str, people: list[Person]) -> None:
        self.text = text
        self.people = people
        self.tokens = _tokens(text)
        index = _name_index(people)
        self.registered = [_registered(t, index) for t in self.tokens]

    # Token relations ------------------------------------------------------------

    def joined(self, i: int) -> bool:
        """Token i and i+1 belong to one name if only a space or hyphen parts them."""
        if i + 1 >= len(self.tokens) or self.tokens[i].apostrophe:
            return False
        gap = self.text[self.tokens[i].end:self.tokens[i + 1].start]
        return _JOIN.fullmatch(gap) is not None

    def sentence_start(self, i: int) -> bool:
        return starts_sentence(self.text, self.tokens[i].start)

    def relation_word_before(self, i: int) -> str | None:
        """The relation word right before token i, if any."""
        k = i - 1
        for _ in range(2):  # "broren Ahmed", "broren hennes Ahmed", "læreren, Kari"
            if k < 0:
                return None
            gap = self.text[self.tokens[k].end:self.tokens[k + 1].start]
            word = self.tokens[k].word.casefold()
            if not re.fullmatch(r"\.?,?[ \t]+" if word in TITLE_ABBREVIATIONS else r",?[ \t]+", gap):
                return None
            if word in RELATION_WORDS:
                return word
            if word not in POSSESSIVES:
                return None
            k -= 1
        return None

    def in_month_context(self, i: int) -> bool:
        word = self.tokens[i].word.casefold()
        if word not in MONTHS:
            return False
        before = self.text[max(0, self.tokens[i].start - 20):self.tokens[i].start]
        return _MONTH_CONTEXT_RE.search(before) is not None

    def is_registered_surname(self, i: int) -> bool:
        reg = self.registered[i]
        return reg is not None and not reg.given

    def next_is_name(self, i: int) -> bool:
        if not self.joined(i):
            return False
        nxt = self.tokens[i + 1].word
        if not _capitalised(nxt):
            return False
        return self.registered[i + 1] is not None or _gazetteer(nxt)[0] is not None

    # Decisions -------------------------------------------------------------------

    def starts_other_name(self, i: int) -> bool:
        word = self.tokens[i].word
        folded = word.casefold()
        if not _capitalised(word) or folded in NEVER_NAMES or folded in FUNCTION_WORDS:
            return False
        if self.relation_word_before(i) and folded not in RELATION_WORDS:
            return True
        kind, _ = _gazetteer(word)
        if kind is None or self.in_month_context(i):
            return False
        if not self.sentence_start(i):
            return True
        if self.next_is_name(i):
            return True
        if kind != "first":
            return False
        if folded not in AMBIGUOUS_FIRST_NAMES:
            return True
        following = self.tokens[i + 1].word.casefold() if i + 1 < len(self.tokens) else ""
        return following in PERSON_VERBS and self.text[self.tokens[i].end:self.tokens[i + 1].start].strip() == ""

    def can_extend_other_name(self, j: int, unknown_so_far: int) -> tuple[bool, bool]:
        """Can token j continue a name? (yes, is it a word the gazetteer does not know)."""
        token = self.tokens[j]
        folded = token.word.casefold()
        if not _capitalised(token.word) or folded in FUNCTION_WORDS or folded in NEVER_NAMES:
            return False, False
        if folded in INSTITUTION_WORDS or folded in RELATION_WORDS:
            return False, False
        if self.registered[j] is not None:
            return self.is_registered_surname(j), False  # "Per Nordmann": an uncle
        if _gazetteer(token.word)[0] is not None:
            return True, False
        return unknown_so_far < 2, True

    def followed_by_institution(self, j: int) -> bool:
        return self.joined(j) and self.tokens[j + 1].word.casefold() in INSTITUTION_WORDS

    def genitive_end(self, j: int) -> bool:
        token = self.tokens[j]
        if token.apostrophe:
            return True
        reg = self.registered[j]
        if reg is not None:
            return reg.genitive
        return _gazetteer(token.word)[1]

    # The scan --------------------------------------------------------------------

    def spans(self) -> list[_Span]:
        spans: list[_Span] = []
        i, n = 0, len(self.tokens)
        while i < n:
            if self.registered[i] is not None:
                end, span = self.registered_run(i)
                spans.append(span)
                i = end + 1
            elif self.starts_other_name(i):
                start, end = i, i
                unknown = 0
                while not self.genitive_end(end) and self.joined(end):
                    ok, is_unknown = self.can_extend_other_name(end + 1, unknown)
                    if not ok:
                        break
                    end += 1
                    unknown += is_unknown
                if self.followed_by_institution(end):
                    i = end + 1  # "Lunde skole"
                    continue
                if start > 0 and self.joined(start - 1) and self.previous_unknown_name_part(start - 1):
                    start -= 1  # "Aslaug Hansen": Aslaug is unknown to the gazetteer
                spans.append(
                    _Span(self.tokens[start].start, self.tokens[end].end, NAME, _PRIORITY_OTHER_NAME)
                )
                i = end + 1
            else:
                i += 1
        return spans

    def previous_unknown_name_part(self, k: int) -> bool:
        token = self.tokens[k]
        folded = token.word.casefold()
        return (
            _capitalised(token.word)
            and self.registered[k] is None
            and folded not in FUNCTION_WORDS
            and folded not in NEVER_NAMES
            and folded not in RELATION_WORDS
            and folded not in INSTITUTION_WORDS
            and folded not in AMBIGUOUS_FIRST_NAMES
        )

    def registered_run(self, i: int) -> tuple[int, _Span]:
        """The longest run of registered name parts from token i, and its span."""
        first = self.registered[i]
        assert first is not None
        owners = first.persons
        given_seen = bool(first.given)
        mixed = False
        end = i
        while not self.genitive_end(end) and self.joined(end):
            nxt, current = self.registered[end + 1], self.registered[end]
            if nxt is None:
                break
            if owners & nxt.persons:
                owners = owners & nxt.persons
            elif given_seen and current is not None and current.given and not nxt.given:
                mixed = True  # one's first name, another's surname: "Per Nordmann"
            else:
                break  # two people side by side
            given_seen = given_seen or bool(nxt.given & owners)
            end += 1
        start = i
        placeholder = NAME if mixed else self.placeholder_for(owners, given_seen)
        if not given_seen:
            # "Per Nordmann" or "Senait Nordmann": someone else of the family.
            if start > 0 and self.joined(start - 1) and self.previous_unknown_name_part(start - 1):
                start -= 1
                placeholder = NAME
        elif self.followed_by_other_surname(end):
            end += 1  # "Kari Olsen" when the mother is Kari Hansen: another Kari
            placeholder = NAME
        elif end == start and self.relation_word_before(start) not in CHILD_WORDS:
            placeholder = NAME  # "tante Kari" when the mother is Kari: another Kari
        if self.genitive_end(end) and not placeholder.startswith("["):
            placeholder += "'" if placeholder.endswith("s") else "s"
        span = _Span(self.tokens[start].start, self.tokens[end].end, placeholder, _PRIORITY_REGISTERED)
        return end, span

    def followed_by_other_surname(self, end: int) -> bool:
        if self.genitive_end(end) or not self.joined(end):
            return False
        nxt = self.tokens[end + 1]
        return (
            _capitalised(nxt.word)
            and self.registered[end + 1] is None
            and _gazetteer(nxt.word)[0] == "last"
            and nxt.word.casefold() not in INSTITUTION_WORDS
        )

    def placeholder_for(self, owners: frozenset[int], given_seen: bool) -> str:
        roles = {self.people[p].role for p in owners}
        if len(roles) == 1:
            return roles.pop()
        return NAME if given_seen else SURNAME


def _birth_dates_after_names(text: str, name_spans: list[_Span]) -> list[_Span]:
    spans = []
    for span in name_spans:
        if span.priority != _PRIORITY_REGISTERED:
            continue
        m = _DATE_AFTER_NAME_RE.match(text, span.end)
        if m:
            group = "paren" if m.group("paren") else "comma"
            spans.append(_Span(m.start(group), m.end(group), BIRTH_DATE, _PRIORITY[BIRTH_DATE]))
    return spans


def _resolve(spans: list[_Span]) -> list[_Span]:
    """Keep the higher priority of overlapping spans, then order by position."""
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (-s.priority, s.start, -(s.end - s.start))):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


_MERGE_GAP = re.compile(r"[ \t\u00a0]*|-")


def _merge(text: str, spans: list[_Span]) -> list[_Span]:
    """"[navn] [navn]" → "[navn]"; "[navn] [etternavn]" → "[navn]"."""
    merged: list[_Span] = []
    for span in spans:
        if merged:
            last = merged[-1]
            names = {last.placeholder, span.placeholder} <= {NAME, SURNAME}
            if (last.placeholder == span.placeholder or names) and _MERGE_GAP.fullmatch(
                text[last.end:span.start]
            ):
                placeholder = last.placeholder if last.placeholder == span.placeholder else NAME
                merged[-1] = _Span(last.start, span.end, placeholder, max(last.priority, span.priority))
                continue
        merged.append(span)
    return merged


def redact(text: str, people: list[Person]) -> Redaction:
    """Replace what identifies the child, the family and others in `text`."""
    people = [p for p in people if p.name.strip()]
    finder = _NameFinder(text, people)
    name_spans = finder.spans()
    spans = _structural_spans(text) + name_spans + _birth_dates_after_names(text, name_spans)
    spans = _merge(text, _resolve(spans))
    out: list[str] = []
    replacements: list[tuple[str, str]] = []
    position = 0
    for span in spans:
        out.append(text[position:span.start])
        # A role starting a sentence keeps its capital: "Ola kom" → "Barnet kom".
        starts = not span.placeholder.startswith("[") and starts_sentence(text, span.start)
        out.append(capitalise(span.placeholder) if starts else span.placeholder)
        replacements.append((text[span.start:span.end], span.placeholder))
        position = span.end
    out.append(text[position:])
    return Redaction("".join(out), tuple(replacements))
