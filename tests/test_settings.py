"""Settings: read once from the environment, secrets never shown, nothing of
them in the templates' hands, the read models' values passed (not read by the
read models), and every variable the code reads documented in the README."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from events.kek import Kek
from intranet.app import create_app
from intranet.settings import Settings, SettingsError
from projections.access_log import AccessLogProjection
from projections.config import ReadModelConfig
from projections.ledger import LedgerProjection
from projections.live import ProjectionRunner
from projections.rebuild import rebuild
from tests.conftest import sqlite_env
from tests.factories import five_children_seen_at_once

ROOT = Path(__file__).resolve().parent.parent
DB_PASSWORD = "db-password-not-to-be-shown"


def test_settings_show_neither_the_kek_nor_the_database_password(tmp_path):
    kek = Kek.generate()
    environ = {**sqlite_env(tmp_path, kek), "POSTGRES_PASSWORD": DB_PASSWORD}
    settings = Settings.from_env(environ)
    shown = [repr(settings), str(settings)]
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        shown += [repr(value), str(value)]
        if isinstance(value, dict):
            shown += [v for v in value.values() if isinstance(v, str)]  # a secret is no plain str
    for text in shown:
        assert kek.encode() not in text and DB_PASSWORD not in text
    # The domain application still gets them: it opens with this very KEK.
    domain = settings.open_domain()
    try:
        assert domain.keystore.kek.id == kek.id
        assert domain.env["POSTGRES_PASSWORD"] == DB_PASSWORD
    finally:
        domain.close()


def test_no_template_context_holds_the_settings(env):
    settings = Settings.from_env({**env, "BEKYMRING_MUNICIPALITY": "Testvik kommune", "BEKYMRING_DEMO": "1"})
    with TestClient(create_app(settings)) as client:
        page = client.get("/logg-inn")
        fragment = client.get("/logg-inn", headers={"HX-Request": "true"})
        templates = client.app.state.templates
    assert page.status_code == 200 and fragment.status_code == 200
    assert "settings" not in page.context
    assert all(value is not settings for value in page.context.values())
    for language in templates.values():
        assert all(value is not settings for value in language.env.globals.values())
        assert "settings" not in language.env.globals
    # What the templates need of it, they still have.
    assert "Testvik kommune" in page.text
    assert "Demoversjon: logg inn som for eksempel" in page.text


def test_the_demo_note_is_not_shown_outside_demo_mode(env):
    with TestClient(create_app(Settings.from_env(env))) as client:
        page = client.get("/logg-inn")
    assert page.status_code == 200 and "Fjordvik kommune" in page.text
    assert "Demoversjon" not in page.text


@pytest.mark.parametrize("name, value", [
    ("BEKYMRING_OFFICE_HOURS", "9"),
    ("BEKYMRING_OFFICE_HOURS", "18-07"),
    ("BEKYMRING_OFFICE_HOURS", "07-25"),
    ("BEKYMRING_MAX_CHILDREN_PER_HOUR", "0"),
    ("BEKYMRING_MAX_CHILDREN_PER_HOUR", "many"),
    ("BEKYMRING_CHECKPOINT_EVERY", "-1"),
    ("BEKYMRING_CHECKPOINT_EVERY", "1e3"),
    ("BEKYMRING_CHECKPOINT_SECONDS", "0"),
    ("BEKYMRING_CHECKPOINT_SECONDS", "a minute"),
    ("BEKYMRING_WITNESS_FILE", " "),
    ("BEKYMRING_LEDGER_ORIGIN", "two words"),
    ("BEKYMRING_LEDGER_ORIGIN", "a+b"),
    ("BEKYMRING_WORKER_THREADS", "two"),
    ("BEKYMRING_RELEASE_AFTER_DAYS", "-1"),
    ("BEKYMRING_RELEASE_AFTER_DAYS", "a week"),
])
def test_a_bad_value_is_refused_at_startup_naming_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**sqlite_env(tmp_path, Kek.generate()), name: value})


def test_the_read_model_values_are_read_from_settings():
    settings = Settings.from_env({
        "BEKYMRING_OFFICE_HOURS": "08-16", "BEKYMRING_MAX_CHILDREN_PER_HOUR": "12",
        "BEKYMRING_CHECKPOINT_EVERY": "50", "BEKYMRING_LEDGER_ORIGIN": "fjordvik.example/bekymring",
        "BEKYMRING_CHECKPOINT_SECONDS": "15", "BEKYMRING_WITNESS_FILE": "/srv/witness/bekymring.txt",
    })
    assert settings.read_models == ReadModelConfig(
        office_hours=(8, 16), max_children_per_hour=12, checkpoint_every=50, ledger_origin="fjordvik.example/bekymring",
        checkpoint_seconds=15.0, witness_file="/srv/witness/bekymring.txt")
    assert Settings.from_env({}).read_models == ReadModelConfig()


def test_the_statistics_are_published_the_days_set_after_a_period_ends():
    assert Settings.from_env({}).release_after_days == 5
    assert Settings.from_env({"BEKYMRING_RELEASE_AFTER_DAYS": "10"}).release_after_days == 10


def rules_of(view):
    return sorted(r["rule"] for r in view.queue(False, 0, 100))


CONFIGURED = {"BEKYMRING_OFFICE_HOURS": "0-0", "BEKYMRING_MAX_CHILDREN_PER_HOUR": "3",
              "BEKYMRING_CHECKPOINT_EVERY": "3", "BEKYMRING_LEDGER_ORIGIN": "testvik.example/bekymring"}


def test_the_configured_values_reach_the_web_apps_read_models(env, monkeypatch):
    for name in CONFIGURED:  # only through Settings
        monkeypatch.delenv(name, raising=False)
    with TestClient(create_app(Settings.from_env({**env, **CONFIGURED}))) as client:
        domain = client.app.state.domain
        five_children_seen_at_once(domain)
        runner = client.app.state.projections
        position = domain.position()
        runner.wait(position)
        checkpoints = runner["ledger"].view.checkpoints()
        rules = rules_of(runner["access_log"].view)
    # Every third row, and others signed as time passed.
    assert set(range(3, position + 1, 3)) <= {cp.size for cp in checkpoints}
    assert {cp.origin for cp in checkpoints} == {"testvik.example/bekymring"}
    assert rules.count("after_hours") == 5  # every hour is after hours
    assert rules.count("many_children") == 1  # once, when the fourth child was seen


@pytest.mark.parametrize("processes", [1, 2])
def test_a_rebuild_uses_the_values_given_in_either_process(domain, processes):
    five_children_seen_at_once(domain)
    config = Settings.from_env(CONFIGURED).read_models
    rebuild(domain, ["ledger", "access_log"], processes=processes, config=config)  # 2: the access log in a helper
    runner = ProjectionRunner(domain, [LedgerProjection, AccessLogProjection], config=config)
    assert [cp.size for cp in runner["ledger"].view.checkpoints()] == list(range(3, domain.position() + 1, 3))
    rules = rules_of(runner["access_log"].view)
    assert rules.count("after_hours") == 5 and rules.count("many_children") == 1


def test_the_cli_passes_the_configured_values(tmp_path):
    kek = Kek.generate()
    env = sqlite_env(tmp_path / "data", kek)
    domain = Settings.from_env(env).open_domain()
    try:
        five_children_seen_at_once(domain)
        position = domain.position()
    finally:
        domain.close()
    cli_env = {"PATH": "/usr/bin:/bin", **env, **CONFIGURED}

    def run(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "intranet.cli", *args], cwd=ROOT, env=cli_env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result

    run("projections", "rebuild")
    assert run("audit", "public-key").stdout.startswith("testvik.example/bekymring+")
    assert run("audit", "verify").returncode == 0
    runner = ProjectionRunner(Settings.from_env(env).open_domain(), [LedgerProjection, AccessLogProjection])
    try:
        assert [cp.size for cp in runner["ledger"].view.checkpoints()] == list(range(3, position + 1, 3))
        assert rules_of(runner["access_log"].view).count("many_children") == 1
    finally:
        runner.app.close()
    bad = subprocess.run([sys.executable, "-m", "intranet.cli", "projections", "status"], cwd=ROOT,
                         env={**cli_env, "BEKYMRING_CHECKPOINT_EVERY": "often"}, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "BEKYMRING_CHECKPOINT_EVERY" in bad.stderr


def test_the_read_models_read_no_environment():
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "projections").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"\benviron\b|\bgetenv\b", line)]
    assert found == []


ENV_NAME = re.compile(r"""["']((?:BEKYMRING|POSTGRES|SQLITE|PERSISTENCE)_[A-Z0-9_]+)["']""")


def variables_in_code() -> set[str]:
    """Every environment variable name written as a string in the product's code."""
    names: set[str] = set()
    for package in ("events", "projections", "intranet", "bench"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(ENV_NAME.findall(path.read_text()))
    return names


def variables_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_variable_the_code_reads_is_in_the_readme():
    in_code = variables_in_code()
    assert {"BEKYMRING_KEK", "POSTGRES_PASSWORD", "BEKYMRING_CHECKPOINT_EVERY", "BEKYMRING_OFFICE_HOURS"} <= in_code
    assert in_code - variables_in_readme() == set()
