"""End-to-end tests in a real headless Chromium (Debian's), driven by Playwright,
against the real app served by uvicorn in its own process on loopback.

Playwright's own browser download cannot work here: the executable is the
system Chromium. Without it the tests skip, unless BEKYMRING_REQUIRE_ALL=1
(CI), where a skip fails the run. A failing test leaves a screenshot in
test-results/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

CHROMIUM = os.environ.get("BEKYMRING_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`intranet demo` in a fresh directory: the demo municipality, served for real."""

    def __init__(self, workdir: Path, settings: dict[str, str] | None = None, port: int | None = None):
        """`settings`: BEKYMRING_ variables for this server (none are taken from outside);
        `port`: one chosen beforehand (an OpenID provider must know the app's URL first)."""
        self.workdir = workdir  # the data directory is workdir / "data"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
        env.update(settings or {})
        env["BEKYMRING_DEMO"] = "1"
        self.log = open(workdir / "server.log", "w")
        self.process = subprocess.Popen(
            # With its request lines: they help read a failure, and show what a path puts in a log.
            [sys.executable, "-m", "intranet.cli", "demo", "--port", str(self.port), "--access-log"],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start: " + (workdir / "server.log").read_text()[-2000:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e"))
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)


def _context(browser, request, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript, locale="nb-NO",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        for i, page in enumerate(context.pages):
            page.screenshot(path=str(RESULTS / f"{request.node.name}-{i}.png"), full_page=True)
    context.close()


@pytest.fixture
def context(browser, request):
    yield from _context(browser, request, javascript=True)


@pytest.fixture
def nojs_context(browser, request):
    yield from _context(browser, request, javascript=False)
