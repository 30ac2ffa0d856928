"""The guardians' verifiable access report, end to end in real Chromium: the
privacy officer downloads the JSON file from the printed report, the family's
page (/static/verify/, under the app's CSP, talking to no server) checks it
against the key on /om/logg, and names the failure when a line is removed, when
one is altered, and when an access made after the checkpoint is claimed as
covered; `intranet audit verify-report` gives the same verdicts on the same files."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations

CHECKPOINT_SECONDS = 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Checkpoints every second, so an access made during the test is soon covered by the next one.
    live = LiveServer(tmp_path_factory.mktemp("e2e"), {"BEKYMRING_CHECKPOINT_SECONDS": str(CHECKPOINT_SECONDS)})
    yield live
    live.stop()


def open_a_child(page, server) -> str:
    page.goto(server.url + "/personvern/barn")
    page.get_by_label("Navn eller fødselsnummer").fill("Sofie")
    page.get_by_role("button", name="Søk").click()
    page.locator("main ul a").first.click()
    page.wait_for_url(re.compile(r"/personvern/barn/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def report_file(page, server, child_id: str) -> dict:
    """The report as the officer downloads it, by the link on the printed report."""
    page.goto(f"{server.url}/personvern/barn/{child_id}/innsyn")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned rapporten som fil (JSON)").click()
    with open(download.value.path(), encoding="utf-8") as f:
        return json.load(f)


def newer_report(page, server, child_id: str, than: dict) -> dict:
    """A report whose checkpoint covers more of the child's accesses than `than` does."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(CHECKPOINT_SECONDS * 1.5)
        response = page.request.get(f"{server.url}/personvern/barn/{child_id}/innsyn.json")
        assert response.ok
        report = response.json()
        if report["map"]["count"] > than["map"]["count"]:
            return report
    raise AssertionError("no checkpoint covered the later accesses")


def verdict_on_the_page(page, report: dict, key: str | None) -> tuple[str, str]:
    """(code, text) the family's page shows for the file."""
    page.get_by_label("Kommunens nøkkel").fill(key or "")
    page.locator("#result").evaluate("el => el.replaceChildren()")
    page.get_by_label("Rapportfila (JSON)").set_input_files(
        {"name": "innsyn.json", "mimeType": "application/json", "buffer": json.dumps(report).encode()})
    verdict = page.locator("#verdict")
    verdict.wait_for()
    return verdict.get_attribute("data-code"), verdict.locator("p").first.inner_text()


def cli_verdict(tmp_path, report: dict, key: str) -> tuple[int, str]:
    (tmp_path / "innsyn.json").write_text(json.dumps(report), encoding="utf-8")
    (tmp_path / "nokkel.txt").write_text(key + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    result = subprocess.run([sys.executable, "-m", "intranet.cli", "audit", "verify-report", "innsyn.json",
                             "--public-key", "nokkel.txt"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)
    return result.returncode, result.stdout.strip()


def test_a_family_checks_the_report_and_sees_each_kind_of_tampering_named(context, server, tmp_path):
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, server, "personvern")
    child_id = open_a_child(page, server)
    page.reload()  # a second access, so that a line can go missing between two
    time.sleep(CHECKPOINT_SECONDS * 2.5)  # the next checkpoint covers both
    first = report_file(page, server, child_id)
    assert first["map"]["count"] == len(first["accesses"]) >= 2

    # The key, as a family reads it on the municipality's public page.
    page.goto(server.url + "/om/logg")
    key = page.locator("#verifier-key").inner_text().strip()
    assert key == first["verifier_key"]

    # An access after the first report's checkpoint, then a report whose checkpoint covers it.
    page.goto(f"{server.url}/personvern/barn/{child_id}")
    second = newer_report(page, server, child_id, first)

    removed = copy.deepcopy(first)
    del removed["accesses"][1]
    altered = copy.deepcopy(first)
    altered["accesses"][0]["entry"]["role"] = "admin"
    claimed = copy.deepcopy(first)
    claimed["accesses"].append(second["accesses"][len(first["accesses"])])
    count = len(first["accesses"])
    cases = [
        (first, "complete", "✓ Fullstendig: alle"),
        (removed, "removed", "Det mangler et innsyn før linje 2"),
        (altered, "altered", "Linje 1 er endret"),
        (claimed, "not_covered", f"Linje {count + 1} og de etter den er ikke dekket av sjekkpunkt"),
        (second, "complete", "✓ Fullstendig: alle"),
    ]

    verifier = context.new_page()
    verifier.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    verifier.goto(server.url + "/static/verify/")
    verifier.on("request", lambda r: requests.append(r.url))  # from here on, nothing may be sent
    for report, code, text in cases:
        shown_code, shown_text = verdict_on_the_page(verifier, report, key)
        assert (shown_code, text in shown_text) == (code, True), (code, shown_text)
        returncode, printed = cli_verdict(tmp_path, report, key)
        assert (returncode, printed) == (0 if code == "complete" else 1, shown_text.removeprefix("✓ ").removeprefix("✗ "))
        if code == "not_covered":
            # The table lists what the family verified, and marks the first line that failed.
            rows = verifier.locator("#accesses tbody tr")
            assert rows.count() == count + 1
            assert verifier.locator("#accesses tbody tr.failed").inner_text().startswith(f"✗ {count + 1}")
            assert violations(verifier) == []
    assert requests == []

    # Without the pasted key the page uses the file's, and says so; a file's own key proves nothing alone.
    code, _ = verdict_on_the_page(verifier, first, None)
    assert code == "complete"
    assert "Sammenlign den med nøkkelen på kommunens side /om/logg" in verifier.locator("#verdict").inner_text()
    # In English at a click, the verdict too.
    verifier.get_by_role("button", name="English").click()
    assert "Complete: all" in verifier.locator("#verdict").inner_text()
    assert verifier.locator("html").get_attribute("lang") == "en"
    assert errors == []  # no CSP violation, no script error
