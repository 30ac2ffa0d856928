"""pa11y with HTML_CodeSniffer (WCAG 2 AA) over the main pages: a second checker
beside axe, with its own rules, reports zero errors.

pa11y is a Node package, installed from tests/e2e/package-lock.json with
`npm ci --prefix tests/e2e` (.ci/run does it). Without node or that install the
test skips, and a skip fails the run under BEKYMRING_REQUIRE_ALL=1 (CI).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from events import clock
from tests.e2e.conftest import CHROMIUM
from tests.e2e.people import file_concern, sign_in
from tests.e2e.test_resource_team import plan_meeting

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "pa11y_pages.js"


def node() -> str:
    found = shutil.which("node")
    if not found or not (HERE / "node_modules" / "pa11y").is_dir():
        pytest.skip("pa11y is not installed (npm ci --prefix tests/e2e)")
    return found


def pa11y(pages: list[tuple[str, str]]) -> list[dict]:
    """pa11y's result per (url, cookie header)."""
    spec = {"chromium": CHROMIUM, "pages": [{"url": url, "cookie": cookie} for url, cookie in pages]}
    done = subprocess.run([node(), str(RUNNER), json.dumps(spec)], cwd=HERE, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def errors(results: list[dict]) -> list[str]:
    return [f"{r['url']}: {i['code']}: {i['message']} ({i['selector']})"
            for r in results for i in r["issues"] if i["type"] == "error"]


def cookie_header(context) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def test_pa11y_reports_errors_when_there_are_some(tmp_path):
    """The check can fail: a page without a title, with an unlabelled field."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="nb"><body><form><input id="a"></form></body></html>')
    found = " ".join(errors(pa11y([(bad.as_uri(), "")])))
    assert "WCAG2AA.Principle2.Guideline2_4.2_4_2.H25" in found  # no title
    assert "WCAG2AA.Principle1.Guideline1_3.1_3_1" in found or "Principle4.Guideline4_1.4_1_2" in found  # no label


def test_the_main_pages_have_no_pa11y_errors(browser, server):
    """Front page, concern list, a concern, the new-concern form, a consent form, a
    meeting, the binder, the privacy officer's child page and the statistics."""
    pages = []  # (url, the signed-in browser context it is read in)
    leader = browser.new_context(locale="nb-NO")
    page = leader.new_page()
    sign_in(page, server, "styrer")
    concern = file_concern(page, server, "Virket redd ved henting.", "Atferd")
    page.goto(server.url + "/barn")
    page.locator("main ul.list a").first.click()
    child_id = re.search(r"/barn/([0-9a-f-]{36})", page.url).group(1)
    meeting = plan_meeting(page, server, clock.today())
    pages += [(server.url + path, leader) for path in (
        "/", "/bekymringer", "/bekymringer/ny", f"/barn/{child_id}/samtykke", "/perm", "/perm/handlingsveileder")]
    pages += [(concern, leader), (meeting, leader)]
    officer = browser.new_context(locale="nb-NO")
    sign_in(officer.new_page(), server, "personvern")
    pages.append((f"{server.url}/personvern/barn/{child_id}", officer))
    chief = browser.new_context(locale="nb-NO")
    sign_in(chief.new_page(), server, "kommunalsjef")
    pages += [(server.url + path, chief)
              for path in ("/ledelse/statistikk", "/ledelse/statistikk?dimensjon=category&filter=unit_kind",
                           "/ressursteam", "/ressursteam/serier/ny")]

    # Each page opens as itself for its user (not a sign-in page or an error page).
    for url, context in pages:
        assert context.request.get(url, max_redirects=0).status == 200, url
    results = pa11y([(url, cookie_header(context)) for url, context in pages])
    assert [r["url"] for r in results] == [url for url, _ in pages]
    assert not [r["url"] for r in results if r["title"].startswith("Logg inn")]
    assert errors(results) == []
    for context in (leader, officer, chief):
        context.close()
