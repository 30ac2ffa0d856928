"""The `intranet` command, run as a user would, in a fresh directory."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
from datetime import timedelta
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from events import clock
from events.application import Bekymring
from events.audit import SignIn
from events.kek import Kek, read_kek_file
from intranet import demo, demo_data
from events.statistics import DEFAULT_DELAY_DAYS
from intranet.cli import publish_statistics
from projections.config import DEFAULTS
from tests.conftest import sqlite_env


@pytest.fixture
def DEMO_EVENTS(tmp_path) -> int:
    """How many events `intranet demo` writes (loaded once into a scratch store)."""
    app = Bekymring(env=sqlite_env(tmp_path / "scratch", Kek.generate()))
    try:
        demo.load_with_casework(app)
        publish_statistics(app, DEFAULTS, DEFAULT_DELAY_DAYS)  # its past months' statistics
        return app.position()
    finally:
        app.close()


def run(args, cwd, env=None, check=True):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "intranet.cli", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_demo_loads_the_municipality_once_and_prints_the_logins(tmp_path, DEMO_EVENTS):
    first = run(["demo", "--load-only"], tmp_path)
    assert "http://127.0.0.1:8000/" in first.stdout
    for user in demo_data.USERS:
        assert user["username"] in first.stdout
    assert demo_data.DEMO_PASSWORD in first.stdout
    assert "lastet inn" in first.stderr
    second = run(["demo", "--load-only"], tmp_path)
    assert "finnes allerede" in second.stderr
    app = Bekymring(env={"BEKYMRING_DATA_DIR": str(tmp_path / "data"), "BEKYMRING_DEMO": "1"})
    try:
        assert app.position() == DEMO_EVENTS
    finally:
        app.close()


def test_serve_refuses_to_start_without_a_kek(tmp_path):
    result = run(["serve", "--port", "1"], tmp_path, check=False)
    assert result.returncode == 2
    assert "No key-encryption key" in result.stderr


def test_projections_rebuild_shows_progress(tmp_path, DEMO_EVENTS):
    run(["demo", "--load-only"], tmp_path)
    result = run(["projections", "rebuild"], tmp_path, env={"BEKYMRING_DEMO": "1"})
    assert f"directory: {DEMO_EVENTS} hendelser" in result.stdout
    assert f"[##############################] {DEMO_EVENTS}/{DEMO_EVENTS}" in result.stderr


def test_statistics_publish_publishes_what_is_due_once(tmp_path):
    """The demo has published its past months; publishing again finds nothing new, and
    a day after next month has ended publishes that month (and nothing twice)."""
    run(["demo", "--load-only"], tmp_path)
    demo_env = {"BEKYMRING_DEMO": "1"}
    again = run(["statistics", "publish"], tmp_path, env=demo_env)
    assert "Ingen nye utgivelser er klare." in again.stderr
    today = clock.today()
    later = (today.replace(day=1) + timedelta(days=32)).replace(day=DEFAULT_DELAY_DAYS + 1)
    month = today.strftime("%Y-%m")
    published = run(["statistics", "publish", "--today", later.isoformat()], tmp_path, env=demo_env)
    assert f"Publisert: {month}" in published.stderr
    assert "Publisert" not in run(["statistics", "publish", "--today", later.isoformat()], tmp_path,
                                  env=demo_env).stderr


def test_rotate_kek_rewraps_and_the_new_key_opens_the_data(tmp_path, DEMO_EVENTS):
    run(["demo", "--load-only"], tmp_path)
    demo_env = {"BEKYMRING_DEMO": "1"}
    result = run(["keys", "rotate-kek", "--new-kek-file", "new.key"], tmp_path, env=demo_env)
    assert "datanøkler pakket inn på nytt" in result.stdout
    new_kek = read_kek_file(tmp_path / "new.key")
    status = run(["keys", "status"], tmp_path, env={"BEKYMRING_KEK_FILE": "new.key"})
    assert f"KEK-er som pakker inn nøkler: {new_kek.id}" in status.stdout
    # The old dev key no longer opens anything.
    old = run(["keys", "status"], tmp_path, env=demo_env, check=False)
    assert old.returncode == 0  # status itself reads no data key
    rebuilt = run(["projections", "rebuild"], tmp_path, env=demo_env, check=False)
    assert rebuilt.returncode == 2 and "does not open" in rebuilt.stderr
    ok = run(["projections", "rebuild"], tmp_path, env={"BEKYMRING_KEK_FILE": "new.key"})
    assert f"directory: {DEMO_EVENTS} hendelser" in ok.stdout


def test_new_kek_writes_a_private_file(tmp_path):
    run(["keys", "new-kek", "k.key"], tmp_path)
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600


# -- the server, run as the operator runs it ---------------------------------------------------
class Browser:
    """A minimal HTTP client with a cookie jar, for a server in another process."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextlib.contextmanager
def serving(cwd, env, options=()):
    """`intranet serve` on a free port of 127.0.0.1; yields a Browser for it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    full_env.update({"BEKYMRING_SECURE_COOKIES": "0", **env})
    log = cwd / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "intranet.cli", "serve", "--port", str(port), *options], cwd=cwd,
                                  env=full_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        for _ in range(120):
            try:
                if browser.request("/health")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            time.sleep(0.25)
        yield browser
    finally:
        server.terminate()
        server.wait(timeout=30)


def sign_in_failures(cwd, env, forwarded: list[str]) -> list[str]:
    """Fail a sign-in once per X-Forwarded-For value; the client each was counted under."""
    with serving(cwd, env) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.request("/logg-inn")[1]).group(1)
        for address in forwarded:
            status, _ = browser.request("/logg-inn", {"username": "nobody", "password": "x", "csrf_token": token},
                                        {"X-Forwarded-For": address})
            assert status == 422
    app = Bekymring(env={k: v for k, v in env.items() if k != "BEKYMRING_TRUSTED_PROXIES"})
    try:
        events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 1000)]
        return [e.client_index for e in events if isinstance(e, SignIn.Created)][-len(forwarded):]
    finally:
        app.close()


def test_serve_believes_forwarded_for_only_from_named_proxies(tmp_path):
    run(["keys", "new-kek", "k.key"], tmp_path)
    env = {"BEKYMRING_KEK_FILE": str(tmp_path / "k.key"), "BEKYMRING_DATA_DIR": str(tmp_path / "data"),
           "PERSISTENCE_MODULE": "events.storage.sqlite_store"}
    # By default no proxy is trusted, not even 127.0.0.1 (uvicorn's own default).
    ignored = sign_in_failures(tmp_path, env, ["192.0.2.1", "192.0.2.2"])
    assert ignored[0] == ignored[1]
    believed = sign_in_failures(tmp_path, {**env, "BEKYMRING_TRUSTED_PROXIES": "127.0.0.1"}, ["192.0.2.1", "192.0.2.2"])
    assert believed[0] != believed[1]


def test_serve_logs_a_line_per_request_only_when_asked(tmp_path):
    run(["keys", "new-kek", "k.key"], tmp_path)
    env = {"BEKYMRING_KEK_FILE": str(tmp_path / "k.key"), "BEKYMRING_DATA_DIR": str(tmp_path / "data"),
           "PERSISTENCE_MODULE": "events.storage.sqlite_store"}
    for options, logged in (((), False), (("--access-log",), True)):
        with serving(tmp_path, env, options) as browser:
            assert browser.request("/tilgjengelighet")[0] == 200
        assert ('"GET /tilgjengelighet HTTP/1.1" 200' in (tmp_path / "server.log").read_text()) == logged


def test_every_file_under_the_data_directory_is_private(tmp_path):
    run(["demo", "--load-only"], tmp_path)
    demo_env = {"BEKYMRING_DEMO": "1"}
    run(["projections", "rebuild"], tmp_path, env=demo_env)
    with serving(tmp_path, demo_env) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.request("/logg-inn")[1]).group(1)
        status, _ = browser.request("/logg-inn", {"username": "pedleder", "password": demo_data.DEMO_PASSWORD,
                                                  "csrf_token": token})
        assert status == 303
        assert browser.request("/bekymringer")[0] == 200
    run(["audit", "checkpoint"], tmp_path, env=demo_env)
    data = tmp_path / "data"
    modes = {str(p.relative_to(data)): p.stat().st_mode & 0o777 for p in [data, *data.rglob("*")]}
    assert len(modes) > 5, modes
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (data / name).is_dir() else 0o600)}
    assert wrong == {}
