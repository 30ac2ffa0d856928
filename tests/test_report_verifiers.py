"""The report's verifiers outside the server: `intranet audit verify-report`, and
files the reference verifier must refuse with a verdict rather than a crash
(the static page, tests/e2e/test_verify_js.py, must reach the same verdicts)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys

from events.ledger.access_chain import MapLeaf, b64, map_root
from events.ledger.checkpoints import key_id, sign_checkpoint
from events.ledger.report_check import verify_report, verify_report_bytes
from tests.test_access_chain import KEY, ORIGIN, VKEY, key, report


def _resigned(report_dict: dict, map_line: str) -> dict:
    """The report with a checkpoint whose map line is `map_line`, signed with the right key."""
    cp = sign_checkpoint(ORIGIN, 99, hashlib.sha256(b"tree").digest(), ORIGIN, KEY,
                         [map_line, "bekymring-signed 2026-12-07T12:00:00Z"])
    return {**report_dict, "checkpoint": cp.note}


def test_a_count_beyond_64_bits_is_a_format_error_not_a_crash():
    r = report()
    r["map"]["count"] = 1 << 64
    verdict = verify_report(r, VKEY)
    assert (verdict.code, verdict.params["detail"]) == ("format", "the map's count is too large")


def test_a_map_size_in_other_digits_commits_to_no_map():
    r = report()
    root = map_root([MapLeaf(key(0), 5, hashlib.sha256(b"x").digest())])
    for size in ("\u00b2", "\u0667"):  # superscript two (isdigit, not a decimal), Arabic-Indic seven
        verdict = verify_report(_resigned(r, f"bekymring-children {size} {b64(root)}"), VKEY)
        assert verdict.code == "no_map"


def test_a_checkpoint_that_is_not_utf8_is_a_format_error_not_a_crash():
    r = report()
    kid = key_id(ORIGIN, KEY.public_key())
    text = f"{ORIGIN}\n99\n{b64(hashlib.sha256(b'tree').digest())}\n\ud800\n"
    r["checkpoint"] = f"{text}\n\u2014 {ORIGIN} {base64.b64encode(kid + bytes(64)).decode()}\n"
    verdict = verify_report(r, VKEY)
    assert (verdict.code, verdict.params["detail"]) == ("format", "the checkpoint note is not UTF-8 text")


def test_a_file_that_is_not_json_is_a_format_error():
    for data in (b"{", b"\xff\xfe", b'{"format": NaN}', "\ufeff[]".encode()):
        verdict = verify_report_bytes(data, VKEY)
        assert verdict.code == "format", data
    assert verify_report_bytes(b"\xef\xbb\xbf" + json.dumps(report()).encode(), VKEY).ok  # a BOM is no matter


def run_cli(args, cwd):
    # No data directory, no database, no KEK: the subcommand must not need them.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run([sys.executable, "-m", "intranet.cli", "audit", "verify-report", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_the_cli_gives_the_verdict_without_a_data_directory(tmp_path):
    (tmp_path / "key.txt").write_text(VKEY + "\n")
    good = report()
    removed = report()
    del removed["accesses"][2]
    (tmp_path / "good.json").write_text(json.dumps(good))
    (tmp_path / "removed.json").write_text(json.dumps(removed))

    result = run_cli(["good.json", "--public-key", "key.txt"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == verify_report(good, VKEY).text("nb")
    result = run_cli(["removed.json", "--public-key", "key.txt", "--lang", "en"], tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip() == "An access is missing before line 3: the line does not follow the line before it."
    assert not (tmp_path / "data").exists()


def test_the_cli_names_a_wrong_key(tmp_path):
    (tmp_path / "key.txt").write_text("nonsense\n")
    (tmp_path / "good.json").write_text(json.dumps(report()))
    result = run_cli(["good.json", "--public-key", "key.txt"], tmp_path)
    assert result.returncode == 1
    assert result.stdout.strip() == "Nøkkelen er ikke gyldig: verifier key must be name+keyid+key."


def test_base64_is_read_in_its_one_strict_form():
    # Python's own decoder (3.11) takes padding after a whole group ("...=" after 44 characters);
    # Go's and the browser's do not, and a report's base64 is only ever written one way.
    r = report()
    r["map"]["head"] += "="
    verdict = verify_report(r, VKEY)
    assert (verdict.code, verdict.params["detail"]) == ("format", "head is not the base64 of 32 bytes")
    name, kid, key_b64 = VKEY.split("+", 2)
    assert verify_report(report(), f"{name}+{kid}+{key_b64}=").code == "key"
    r = report()
    text, _, signature = r["checkpoint"].partition("\n\n")
    r["checkpoint"] = f"{text}\n\n{signature[:-1]}=\n"
    assert verify_report(r, VKEY).code == "format"


def test_the_page_on_checking_a_report_is_public_and_shows_the_ledgers_key(web):
    from tests.test_language import choose_language
    from events.ledger.checkpoints import verifier_key
    from projections.ledger import origin_of, signing_key

    expected = verifier_key(origin_of(web.domain, web.app.state.settings.read_models),
                            signing_key(web.domain.keystore).public_key())
    page = web.client().get("/om/logg")  # signed out: a family has no account
    assert page.status_code == 200
    assert f'<code id="verifier-key">{expected}</code>' in page.text
    assert 'href="/static/verify/"' in page.text
    assert '<a href="/om/logg">' in web.login("staff").get("/").text  # the footer links it
    family = web.client()
    choose_language(web, family, "en", "/om/logg")
    assert 'href="/static/verify/?lang=en"' in family.get("/om/logg").text  # the checking page in English too


def test_the_verifier_is_served_under_the_csp_and_checked_on_every_visit(web):
    browser = web.client()
    page = browser.get("/static/verify/")
    assert page.status_code == 200 and 'src="verify.js"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"
    script = browser.get("/static/verify/verify.js")
    assert script.status_code == 200 and "BekymringVerify" in script.text
    assert "fetch(" not in script.text and "XMLHttpRequest" not in script.text  # it sends nothing anywhere
