"""The concern page's render alone: the templates of a git revision against the
working tree's, on the context of one real request, alternating in one run.

    python -m bench.render --old main      # run from a source checkout

The two must give the same HTML, byte for byte (`compare` says whether they
do); the ratio is old time / new time (above 1: the working tree is faster).
"""

from __future__ import annotations

import argparse
import subprocess
import tarfile
import tempfile
import time
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from datetime import datetime, timedelta
from typing import Any, Iterator
from uuid import UUID

from events.clock import OSLO

from intranet import i18n
from intranet.paths import templates_dir
from intranet.templating import make_templates

PAGE = "concerns/page.html"


def templates_at(revision: str, into: Path) -> Path:
    """The templates/ directory as it was at `revision` (of the checkout they are in)."""
    repo = templates_dir().parent
    archive = subprocess.run(["git", "archive", revision, "templates"], cwd=repo, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "templates"


@contextmanager
def capturing(app) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The template and context of every full page the app renders meanwhile."""
    captured: list[tuple[str, dict[str, Any]]] = []
    originals = {}
    for language, templates in app.state.templates.items():
        originals[language] = templates.TemplateResponse

        def keep(request, name, context, *args, _original=templates.TemplateResponse, **kwargs):
            captured.append((name, {"request": request, **context}))
            return _original(request, name, context, *args, **kwargs)

        templates.TemplateResponse = keep
    try:
        yield captured
    finally:
        for language, templates in app.state.templates.items():
            templates.TemplateResponse = originals[language]


def render(templates, name: str, context: dict[str, Any], language: str = "nb") -> str:
    token = i18n.current_language.set(language)
    try:
        return templates[language].get_template(name).render(context)
    finally:
        i18n.current_language.reset(token)


def compare(old_dir: Path, name: str, context: dict[str, Any], *, rounds: int = 7, renders: int = 100,
            language: str = "nb") -> dict[str, Any]:
    """Render `name` with the templates in `old_dir` and with the working tree's,
    in alternating turns; their HTML and the ratio of their times (the CPU time
    of the thread, the best turn of each: the machine may be shared)."""
    sets = {"old": make_templates(directory=old_dir), "new": make_templates()}
    html = {which: render(templates, name, context, language) for which, templates in sets.items()}
    seconds: dict[str, list[float]] = {"old": [], "new": []}
    for turn in range(rounds):
        for which in (("old", "new") if turn % 2 == 0 else ("new", "old")):
            start = time.thread_time()
            for _ in range(renders):
                render(sets[which], name, context, language)
            seconds[which].append((time.thread_time() - start) / renders)
    best = {which: min(times) for which, times in seconds.items()}
    return {"identical": html["old"] == html["new"], "old_ms": round(best["old"] * 1000, 3),
            "new_ms": round(best["new"] * 1000, 3), "ratio": round(best["old"] / best["new"], 3),
            "html": html}


def enrich(web, client, concern_id: UUID) -> None:
    """Give a concern what its page shows, through the page's own forms: log
    entries (one with the child's words, one corrected), a talk, two steps done,
    two measures (one evaluated), a colleague it is shared with."""
    from tests.webclient import csrf_of

    url = f"/bekymringer/{concern_id}"
    today = datetime.now(OSLO).date()
    later = (today + timedelta(days=14)).isoformat()
    colleague = next(u for u in web.projections["directory"].view.active_users_in_unit(
        web.domain.get_concern(concern_id).unit_id) if u != web.domain.get_concern(concern_id).author_id)
    changes = [
        ("logg", {"observed_on": today.isoformat(), "text": "Sliten & trist <i>hele</i> uka.",
                  "child_words": "«Mamma sover hele tiden»"}),
        ("logg", {"observed_on": today.isoformat(), "text": "Gikk alene hjem.", "child_words": ""}),
        ("korriger", {"no": "2", "text": "Ble hentet sent.", "child_words": "", "reason": "Feil dag"}),
        ("samtale", {"held_on": today.isoformat(), "participants": "Mor, far", "summary": "Bra samtale.",
                     "child_heard": "1"}),
        ("steg", {"step": "write_down", "done": "1"}),
        ("steg", {"step": "talk_leader", "done": "1"}),
        ("tiltak", {"measure": "Frukt hver dag", "responsible": "Kari", "deadline": later, "evaluate_on": later}),
        ("tiltak", {"measure": "Møte med helsesykepleier", "responsible": "Ola", "deadline": later,
                    "evaluate_on": later}),
        ("evaluer", {"no": "1", "outcome": "Spiser godt nå"}),
        ("del", {"user_id": str(colleague)}),
    ]
    for action, fields in changes:
        page = client.get(url).text
        version = str(web.domain.get_concern(concern_id).version)
        answer = client.post(f"{url}/{action}", data={**fields, "version": version, "csrf_token": csrf_of(page)})
        assert answer.status_code == 303, (action, answer.status_code)
    web.projections.wait()


def demo_concern_context():
    """A request for a demo concern's page with a history (`enrich`), signed in
    as its author: the template and context it was rendered with."""
    from tests.conftest import sqlite_env
    from tests.webclient import Web
    from events.kek import Kek

    directory = Path(tempfile.mkdtemp(prefix="bench-render-"))
    web = Web(sqlite_env(directory, Kek.generate())).__enter__()
    return web, rich_page(web)


def rich_page(web) -> tuple[str, dict[str, Any]]:
    """The template and context of the page of the concern `web` filed as "own",
    given a history (`enrich`), as its author sees it."""
    author = web.login("staff")
    concern_id = web.concerns["own"]
    enrich(web, author, concern_id)
    with capturing(web.app) as captured:
        assert author.get(f"/bekymringer/{concern_id}").status_code == 200
    return captured[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", default="main", help="the git revision whose templates to compare with")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args()
    web, (name, context) = demo_concern_context()
    try:
        with tempfile.TemporaryDirectory() as old:
            result = compare(templates_at(args.old, Path(old)), name, context,
                             rounds=args.rounds, renders=args.renders)
    finally:
        web.__exit__(None, None, None)
    result.pop("html")
    print(result)


if __name__ == "__main__":
    main()
