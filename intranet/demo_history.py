"""Two years of casework for the demo municipality, generated: what a kommunalsjef
would see in the statistics of a real year (a few hundred concerns across the
units), without writing each one by hand.

The history is a plan drawn from a seeded random generator (the same seed and
day give the same plan), carried out with the domain's clock set back to each
event's day (events/clock.py), so every event is dated when it happened: the
days to the first action are real ones. The children it is about are made up
like the rest of the demo (synthetic national ids, month + 80). Each concern
with its follow-ups is one aggregate, built in memory and saved in batches.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from events import clock
from events.base import acting_as
from events.children import Child
from events.concerns import Concern
from intranet.demo_data import synthetic_fnr
from intranet.demo_examples import OBSERVATIONS

SEED = 2024
MONTHS = 24
# Concerns a month across the municipality, by calendar month: fewer in the summer holidays.
PER_MONTH = {1: 14, 2: 15, 3: 16, 4: 14, 5: 15, 6: 10, 7: 3, 8: 9, 9: 16, 10: 17, 11: 16, 12: 11}
# Each unit's share of the concerns, its children (how many, how old) and who writes.
UNITS = {
    "solsikken": {"share": 0.35, "children": 45, "ages": (1, 6),
                  "authors": ["pedleder", "barnehagelaerer", "styrer"]},
    "fjordvikskole": {"share": 0.45, "children": 90, "ages": (6, 16), "authors": ["laerer", "sfo", "rektor"]},
    "helsestasjonen": {"share": 0.20, "children": 35, "ages": (0, 4), "authors": ["helsesykepleier", "helseleder"]},
}
CATEGORY_WEIGHTS = {"neglect": 22, "behaviour": 20, "mental_health": 16, "absence": 14, "development": 14,
                    "substance_use": 8, "violence": 5, "sexual_abuse": 1, "other": 4}
OTHER_TEXT = "Noe i barnets situasjon bekymrer, uten at det passer i en av de andre kategoriene."
FIRST_NAMES = ["Emma", "Nora", "Olivia", "Ella", "Leah", "Sara", "Ingrid", "Frida", "Iben", "Alma", "Hedda",
               "Selma", "Tiril", "Vilde", "Aurora", "Jakob", "Noah", "Filip", "Lukas", "Oskar", "Emil", "Isak",
               "Aksel", "Johannes", "Magnus", "Sander", "Tobias", "Even", "Ludvig", "Mikkel", "Amir", "Yusuf",
               "Aisha", "Mina", "Leon", "Adrian", "Theo", "Linus", "Ronja", "Sigrid"]
LAST_NAMES = ["Haugland", "Lien", "Bakke", "Vik", "Myhre", "Solheim", "Nygård", "Aas", "Berge", "Hovland",
              "Dahle", "Rønning", "Fosse", "Eide", "Tangen", "Lunde", "Sæther", "Strøm", "Moe", "Brekke",
              "Ali", "Hassan", "Nguyen", "Nowak", "Ahmadi", "Kristiansen", "Bjørnstad", "Holm", "Husby", "Krogh"]
MOTHERS = ["Anne", "Kari", "Marte", "Hanne", "Silje", "Camilla", "Nina", "Maria", "Fatima", "Ewa", "Linh", "Tone"]
FATHERS = ["Per", "Ole", "Lars", "Kjetil", "Anders", "Martin", "Jonas", "Ahmed", "Piotr", "Erik", "Stian", "Rune"]
STREETS = ["Storgata", "Fjordveien", "Bakkeveien", "Skogveien", "Havnegata", "Kirkeveien", "Enggata", "Lia"]
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "aa"})
BATCH = 50  # records per save


@dataclass
class Planned:
    """One concern of the history, and what was done about it, each on its day."""

    unit: str
    child: int  # index into the unit's generated children
    author: str
    observed_on: date
    categories: list[str]
    worry: int
    observation: str
    level: tuple[date, int] | None = None
    talk: date | None = None
    measure: tuple[date, date] | None = None  # added, to be evaluated
    evaluated: date | None = None
    closed: date | None = None
    steps: list[date] = field(default_factory=list)


@dataclass
class GeneratedChild:
    first_name: str
    last_name: str
    birth_date: date
    national_id: str
    guardians: list[dict[str, Any]]


def children(today: date, seed: int = SEED) -> dict[str, list[GeneratedChild]]:
    """The generated children of each unit (the same for the same seed and day)."""
    rng = random.Random(f"{seed}:children")
    used: set[str] = set()
    out: dict[str, list[GeneratedChild]] = {}
    for unit, spec in UNITS.items():
        young, old = spec["ages"]
        out[unit] = []
        while len(out[unit]) < spec["children"]:
            birth = today - timedelta(days=rng.randrange(young * 365 + 30, old * 365 + 364))
            try:
                fnr = synthetic_fnr(birth, rng.randrange(500, 1000))
            except ValueError:  # the checksum cannot be made for this number: draw again
                continue
            if fnr in used:
                continue
            used.add(fnr)
            last = rng.choice(LAST_NAMES)
            out[unit].append(GeneratedChild(rng.choice(FIRST_NAMES), last, birth, fnr, _guardians(rng, last)))
    return out


def _guardians(rng: random.Random, last_name: str) -> list[dict[str, Any]]:
    """One or two made-up guardians with parental responsibility, at one made-up address."""
    street = f"{rng.choice(STREETS)} {rng.randrange(1, 40)}, 641{rng.randrange(2, 9)} Fjordvik"
    people = [("mor", rng.choice(MOTHERS))] + ([("far", rng.choice(FATHERS))] if rng.random() < 0.8 else [])
    return [{"name": f"{first} {last_name}", "relation": relation, "parental_responsibility": True,
             "phone": f"+47 4{rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(100, 999)}",
             "email": f"{first}.{last_name}@example.no".lower().translate(ASCII),
             "address": street} for relation, first in people]


def plan(today: date, seed: int = SEED) -> list[Planned]:
    """The history's concerns over the MONTHS before `today`, oldest first."""
    rng = random.Random(f"{seed}:concerns")
    kids = children(today, seed)
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    start = today - timedelta(days=MONTHS * 365 // 12)
    planned = []
    day = start
    while day < today - timedelta(days=1):
        # About PER_MONTH[month] concerns a month: each day draws its share.
        for _ in range(_poisson(rng, PER_MONTH[day.month] / 30.4)):
            unit = rng.choices(list(UNITS), [u["share"] for u in UNITS.values()])[0]
            old_enough = [i for i, c in enumerate(kids[unit]) if c.birth_date <= day - timedelta(days=90)]
            if not old_enough:
                continue
            chosen = rng.choices(categories, weights)[0]
            extra = rng.choice(["absence", "development", "mental_health"]) if rng.random() < 0.25 else None
            cats = list(dict.fromkeys([chosen] + ([extra] if extra else [])))
            text = rng.choice(OBSERVATIONS.get(chosen, [OTHER_TEXT]))
            planned.append(_follow_up(rng, Planned(unit, rng.choice(old_enough), rng.choice(UNITS[unit]["authors"]),
                                                   day, cats, rng.choice([1, 2, 2, 3, 3, 4]), text), today))
        day += timedelta(days=1)
    return planned


def _poisson(rng: random.Random, mean: float) -> int:
    """How many events a day with the given mean (Knuth's method: the mean is small)."""
    limit, count, product = 2.718281828459045 ** -mean, 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _follow_up(rng: random.Random, p: Planned, today: date) -> Planned:
    """What was done, each on a day after the last and never after yesterday."""
    last = today - timedelta(days=1)

    def after(day: date, low: int, high: int) -> date | None:
        then = day + timedelta(days=rng.randrange(low, high))
        return then if then <= last else None

    urgent = any(c in ("violence", "sexual_abuse") for c in p.categories)
    if rng.random() < 0.8:
        on = after(p.observed_on, 1, 12 if urgent else 25)
        p.level = (on, rng.choice([1, 1, 1, 2, 2, 3] if not urgent else [2, 3])) if on else None
    old = p.observed_on < today - timedelta(days=90)  # by now nearly always followed up
    if not urgent and rng.random() < (0.95 if old else 0.75):
        p.talk = after(p.observed_on, 2, 24)
    if p.level and rng.random() < 0.55:
        evaluate = p.level[0] + timedelta(days=rng.randrange(30, 60))
        p.measure = (p.level[0], evaluate)
        if evaluate <= last and rng.random() < 0.8:
            p.evaluated = evaluate
    if old and rng.random() < 0.9:
        done = max(d for d in (p.observed_on, p.talk, p.level and p.level[0], p.evaluated) if d)
        p.closed = after(done, 7, 120)
    return p


def _at(day: date, minute: int = 0) -> datetime:
    """A working moment of `day` in Oslo, a minute further on for each later event."""
    return datetime.combine(day, time(9, 0), clock.OSLO) + timedelta(minutes=minute)


def build(p: Planned, child_id: UUID, unit_id: UUID, author_id: UUID) -> Concern:
    """The concern the plan describes, its events dated on their days (not saved)."""
    with acting_as(author_id), clock.set_to(_at(p.observed_on)):
        concern = Concern.new(child_id, unit_id, author_id, p.observed_on, p.observation, "", p.categories, p.worry)
    steps: list[tuple[date, Any]] = []
    if p.level:
        day, level = p.level
        steps.append((day, lambda c: c.set_level(level, "Vurdert sammen med leder")))
    if p.talk:
        steps.append((p.talk, lambda c: c.record_guardian_talk(
            p.talk, "foresatte og kontaktperson", "Foresatte fikk høre bekymringen og ga sitt syn.", True, author_id)))
    if p.measure:
        added, evaluate = p.measure
        steps.append((added, lambda c: c.add_measure("Tettere oppfølging i hverdagen", "Kontaktperson",
                                                     added + timedelta(days=14), evaluate, author_id)))
    if p.evaluated:
        steps.append((p.evaluated, lambda c: c.evaluate_measure(1, "Tiltaket har hjulpet noe.", p.evaluated)))
    if p.closed:
        steps.append((p.closed, lambda c: c.close("Bekymringen er fulgt opp og avsluttet")))
    for minute, (day, step) in enumerate(sorted(steps, key=lambda s: s[0]), start=1):
        with acting_as(author_id), clock.set_to(_at(day, minute)):
            step(concern)
    return concern


def load_history(app: Any, ids: dict[str, Any], today: date | None = None, seed: int = SEED) -> int:
    """Register the generated children and save their history; how many concerns."""
    today = today or clock.today()
    units, users = ids["units"], ids["users"]
    child_ids: dict[str, list[UUID]] = {}
    registered: list[Child] = []
    with acting_as(None):
        for unit, kids in children(today, seed).items():
            for k in kids:
                with app.new_child_id() as child_id:  # as `register_child` does, saved in batches below
                    registered.append(Child.new(k.first_name, k.last_name, k.birth_date, units[unit],
                                                k.national_id, k.guardians, id=child_id))
            child_ids[unit] = [c.id for c in registered[-len(kids):]]
        _save_in_batches(app, registered)
    planned = plan(today, seed)
    _save_in_batches(app, [build(p, child_ids[p.unit][p.child], units[p.unit], users[p.author]) for p in planned])
    return len(planned)


def _save_in_batches(app: Any, records: list[Any]) -> None:
    """One commit per BATCH records: a commit per record cost a disk flush each."""
    for start in range(0, len(records), BATCH):
        app.save(*records[start:start + BATCH])
