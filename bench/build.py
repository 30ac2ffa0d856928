"""Build a synthetic municipality fast, through the domain application (not the web).

Every aggregate gets a deterministic id (uuid5 of its kind and number), and each
batch is saved in one transaction, so an interrupted build resumes where it
stopped: a batch whose first aggregate is already stored was committed whole.
Progress is also kept in `manifest.json` in the store's data directory.

Access events are backdated over the past year (mostly office hours on
weekdays, some evenings) so the read model's hourly and after-hours rules see a
realistic spread, and about 5 % are outside the user's own unit.
"""

from __future__ import annotations

import fcntl
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from uuid import NAMESPACE_URL, UUID, uuid5

from events import clock
from events.application import Bekymring, uses_postgres
from events.audit import Access
from events.base import acting_as
from events.children import Child
from events.concerns import CATEGORIES, Concern
from events.directory import Unit, User
from events.policy import BREAK_GLASS, OWN_UNIT
from intranet import demo_data
from intranet.passwords import hash_password
from projections.live import ProjectionRunner
from projections.rebuild import REBUILD_BATCH

from bench import stores
from bench.stores import Scale

NS = uuid5(NAMESPACE_URL, "bekymring:bench")
BENCH_USERNAME = "styrer"  # the demo-like unit leader of unit 0
BENCH_PASSWORD = demo_data.DEMO_PASSWORD
ACCESS_BATCH = 5000
CHILD_BATCH = 500
CONCERN_BATCH = 500

FIRST = ["Sofie", "Emma", "Nora", "Ella", "Maja", "Olivia", "Ingrid", "Sara", "Leah", "Frida",
         "Jakob", "Emil", "Noah", "Oliver", "Filip", "William", "Lucas", "Isak", "Aksel", "Elias",
         "Zuzanna", "Mahad", "Máret", "Amina", "Yusuf", "Aleksander", "Theodor", "Liam", "Hedda", "Tiril"]
LAST = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
        "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Solberg",
        "Kvernmo", "Sandvoll", "Fjellstad", "Juuso", "Warsame", "Kowalczyk", "Haddad", "Aarvik",
        "Lunde", "Moen", "Dahl", "Strand", "Myklebust"]
OBSERVATIONS = [
    "Kom uten matpakke og var sulten tre dager på rad. Sa at det ikke var mat hjemme.",
    "Var svært sliten og sovnet i samlingsstunden. Hentet sent av en voksen som luktet alkohol.",
    "Har hatt mye fravær de siste ukene uten melding fra foresatte. Virker trist og trekker seg unna.",
    "Fortalte at mor sover mye på dagtid og at barnet må lage frokost selv til småsøsken.",
    "Blåmerker på overarmen, forklarte det med at barnet falt i trappa. Virket urolig ved henting.",
    "Kledd for lett for været flere dager, uten votter og lue i minusgrader.",
]
WORDS = ["", "", "«Pappa var så sint i går.»", "«Jeg vil ikke hjem i dag.»", "«Mamma sover bare.»"]


def uid(kind: str, n: int) -> UUID:
    return uuid5(NS, f"{kind}:{n}")


def new(cls: type, id: UUID, **kwargs: Any) -> Any:
    """A new aggregate with a given id (the constructor only makes random ones)."""
    return cls._create(cls.Created, id=id, **kwargs)  # noqa: SLF001


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Manifest:
    def __init__(self, path: Path, scale: Scale):
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        self.data.setdefault("scale", vars(scale))
        self.data.setdefault("done", {})
        self.data.setdefault("seconds", {})

    def done(self, phase: str) -> int:
        return self.data["done"].get(phase, 0)

    def set(self, phase: str, n: int, seconds: float | None = None) -> None:
        self.data["done"][phase] = n
        if seconds is not None:
            self.data["seconds"][phase] = round(self.data["seconds"].get(phase, 0) + seconds, 2)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)


def _stored(app: Bekymring, aggregate_id: UUID) -> bool:
    return bool(app.recorder.select_events(aggregate_id, limit=1))


def _batches(app: Bekymring, manifest: Manifest, phase: str, total: int, size: int,
             make: Callable[[int, int], list[Any]], first_id: Callable[[int], UUID]) -> None:
    """Save aggregates [done, total) in batches of `size`, resumably."""
    done = manifest.done(phase)
    if done >= total:
        return
    log(f"  {phase}: {done}/{total}")
    t0 = time.perf_counter()
    last = t0
    while done < total:
        n = min(size, total - done)
        if not _stored(app, first_id(done)):  # else: committed before an interruption
            app.save(*make(done, n))
        done += n
        now = time.perf_counter()
        manifest.set(phase, done, now - last)
        last = now
        if now - t0 > 5 and (done // size) % 10 == 0:
            log(f"  {phase}: {done}/{total} ({done / (now - t0):,.0f}/s)")
    log(f"  {phase}: {total} in {time.perf_counter() - t0:.1f}s")


def build(app: Bekymring, scale: Scale, data_dir: Path, projections: bool = True) -> dict[str, Any]:
    """Build (or finish building) the municipality; return the manifest data.

    Two bench runs may start on the same cached store: the second waits for the first.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(app, scale, data_dir, projections)


def _build(app: Bekymring, scale: Scale, data_dir: Path, projections: bool) -> dict[str, Any]:
    manifest = Manifest(data_dir / "manifest.json", scale)
    if manifest.data["scale"] != vars(scale):
        raise SystemExit(f"{data_dir} holds another scale: {manifest.data['scale']}")
    n_units, n_staff = scale.units, scale.staff
    unit_ids = [uid("unit", u) for u in range(n_units)]
    staff_ids = [uid("staff", s) for s in range(n_staff)]
    leader_ids = [uid("leader", u) for u in range(n_units)]
    password_hash = None

    def user(id: UUID, username: str, name: str, title: str, role: str, unit_id: UUID | None) -> Any:
        return new(User, id, username=username, name=name, title=title, role=role, unit_id=unit_id,
                   service=None, password_hash=password_hash, password_is_temporary=False)

    def directory(start: int, n: int) -> list[Any]:
        nonlocal password_hash
        password_hash = password_hash or hash_password(BENCH_PASSWORD)
        out: list[Any] = []
        for u in range(n_units):
            kind = "barnehage" if u % 2 == 0 else "skole"
            out.append(new(Unit, unit_ids[u], name=f"Enhet {u} {kind}", kind=kind))
        for u in range(n_units):
            username, name = (BENCH_USERNAME, "Kari Nordmann") if u == 0 else (f"leder{u}", f"Leder {LAST[u % 30]}")
            out.append(user(leader_ids[u], username, name, "Styrer", "unit_leader", unit_ids[u]))
        for s in range(n_staff):
            out.append(user(staff_ids[s], f"ansatt{s}", f"{FIRST[s % 30]} {LAST[(s * 7) % 30]}",
                            "Pedagogisk leder", "staff", unit_ids[s % n_units]))
        out.append(user(uid("privacy", 0), "personvern", "Lise Aune", "Personvernombud", "privacy_officer", None))
        return out

    today = clock.today()

    def children(start: int, n: int) -> list[Any]:
        rng = random.Random(f"children:{start}")
        out = []
        for i in range(start, start + n):
            born = today - timedelta(days=rng.randint(365, 365 * 15))
            last = LAST[rng.randrange(30)]
            out.append(new(
                Child, uid("child", i), first_name=FIRST[rng.randrange(30)], last_name=last, birth_date=born,
                unit_id=unit_ids[i % n_units], national_id="", guardians=[{"name": f"{FIRST[rng.randrange(30)]} {last}", "relation": "mor",
                  "parental_responsibility": True, "phone": f"+47 4{rng.randrange(10**7):07d}",
                  "email": "foresatt@example.no", "address": f"Fjordveien {rng.randint(1, 200)}, 6412 Fjordvik"},
                 {"name": f"{FIRST[rng.randrange(30)]} {last}", "relation": "far",
                  "parental_responsibility": True}],
            ))
        return out

    def concerns(start: int, n: int) -> list[Any]:
        rng = random.Random(f"concerns:{start}")
        out = []
        for k in range(start, start + n):
            child = rng.randrange(scale.children)
            unit = child % n_units
            author = staff_ids[unit + n_units * rng.randrange(max(1, (n_staff - unit + n_units - 1) // n_units))]
            opened = today - timedelta(days=rng.randint(20, 365))
            concern = new(Concern, uid("concern", k), child_id=uid("child", child), unit_id=unit_ids[unit],
                          author_id=author, observed_on=opened, observation=rng.choice(OBSERVATIONS),
                          child_words=rng.choice(WORDS), categories=[rng.choice(CATEGORIES[3:])],
                          worry=rng.randint(1, 4))
            for j in range(rng.randint(0, 4)):  # a chronology of 1-5 entries
                concern.log_observation(opened + timedelta(days=3 * (j + 1)), rng.choice(OBSERVATIONS),
                                        rng.choice(WORDS), author)
            out.append(concern)
        return out

    now = datetime.now(timezone.utc)
    first_day = (now - timedelta(days=366)).replace(hour=0, minute=0, second=0, microsecond=0)

    def accesses(start: int, n: int) -> list[Any]:
        rng = random.Random(f"accesses:{start}")
        out = []
        for a in range(start, start + n):
            s = rng.randrange(n_staff)
            unit = s % n_units
            if rng.random() < 0.95:  # a child of the user's own unit
                child = unit + n_units * rng.randrange(max(1, (scale.children - unit + n_units - 1) // n_units))
                basis = [OWN_UNIT, None]
            else:  # any child: as if by a break-the-glass grant
                child = rng.randrange(scale.children)
                basis = [BREAK_GLASS, uid("grant", a)]
            # In time order, as a real log is written: over the past year, each day's
            # accesses spread from 06:30 to 18:30 (Oslo, roughly), so ~8 % are after hours.
            days = a * 365 / scale.accesses
            at = first_day + timedelta(days=int(days), hours=5.5 + 12 * (days % 1))  # UTC, ~Oslo - 1 h
            access = new(Access, uid("access", a), user_id=staff_ids[s], role="staff", unit_id=unit_ids[unit],
                         subject_ids=[uid("child", child)], records=["concern", "child.name"], action="view",
                         reason="Oppfølging etter foreldremøte" if rng.random() < 0.02 else "",
                         session=f"{rng.getrandbits(64):016x}", bases=[basis])
            # Backdate: the event is not yet stored, so its timestamp may still be set.
            object.__setattr__(access._pending_events[0], "timestamp", min(at, now))  # noqa: SLF001
            out.append(access)
        return out

    started = time.perf_counter()
    with acting_as(None):
        _batches(app, manifest, "directory", 1, 1, directory, lambda _: unit_ids[0])
        _batches(app, manifest, "children", scale.children, CHILD_BATCH, children, lambda i: uid("child", i))
        _batches(app, manifest, "concerns", scale.concerns, CONCERN_BATCH, concerns, lambda k: uid("concern", k))
        _batches(app, manifest, "accesses", scale.accesses, ACCESS_BATCH, accesses, lambda a: uid("access", a))
    if projections:
        t0 = time.perf_counter()
        catch_up(app)
        manifest.set("projections", app.position(), time.perf_counter() - t0)
    if uses_postgres(app.env) and not manifest.done("analyzed"):
        # A bulk load, as a restore is: statistics now, as autovacuum would give a
        # production server in time (a bench server may have it off).
        t0 = time.perf_counter()
        stores.analyze_schema(app.env["POSTGRES_SCHEMA"])
        manifest.set("analyzed", 1, time.perf_counter() - t0)
    manifest.data["events"] = app.position()
    manifest.data["unit0"] = str(unit_ids[0])
    manifest.data["build_seconds_this_run"] = round(time.perf_counter() - started, 1)
    manifest.set("built", 1)
    return manifest.data


def catch_up(app: Bekymring) -> None:
    """Bring every read model up to date, in one pass (resumable: tracking records)."""
    runner = ProjectionRunner(app, config=stores.read_models())
    total = app.position()
    start = min(f.position for f in runner.followers.values())
    if start >= total:
        return
    log(f"  projections: from {start} to {total}")
    t0 = time.perf_counter()

    def progress(n: int) -> None:
        if n % 100_000 < REBUILD_BATCH:
            log(f"  projections: +{n} ({n / (time.perf_counter() - t0):,.0f}/s)")

    n = runner.catch_up(progress, REBUILD_BATCH)
    log(f"  projections: {n} events in {time.perf_counter() - t0:.1f}s")


def child_ids(scale: Scale, count: int, seed: str = "children") -> list[UUID]:
    rng = random.Random(seed)
    return [uid("child", rng.randrange(scale.children)) for _ in range(count)]
