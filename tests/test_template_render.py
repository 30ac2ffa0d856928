"""The concern page's render was made cheaper (intranet/templating.py `_escape`,
`checklist`; templates/concerns/page.html): its HTML is byte for byte what the
templates gave before, for a demo concern with a history, in both languages,
editable and read-only. `python -m bench.render` times the two."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bench.render import compare, rich_page, templates_at
from events.clock import OSLO
from intranet.paths import templates_dir

# The templates before the render was made cheaper. A change meant to alter
# the concern page's HTML moves this to its own commit.
BEFORE = "80ed8a2"


def has_revision(revision: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"{revision}^{{commit}}"], cwd=templates_dir().parent,
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)  # rendering reads no store
def test_the_concern_page_renders_the_same_html_as_before(web, tmp_path: Path):
    if not has_revision(BEFORE):
        pytest.skip(f"not a git checkout holding {BEFORE}")
    name, context = rich_page(web)
    concern = context["concern"]
    assert concern.entries and concern.talks and concern.steps_done and concern.measures and concern.shared_with
    old = templates_at(BEFORE, tmp_path)
    until = datetime.now(OSLO) + timedelta(minutes=30)
    for variant in ({}, {"read_only": True, "read_only_until": until}):
        for language in ("nb", "en"):
            result = compare(old, name, {**context, **variant}, rounds=1, renders=1, language=language)
            assert result["html"]["new"] == result["html"]["old"], (language, variant)
