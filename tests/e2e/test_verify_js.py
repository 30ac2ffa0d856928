"""The static page's verifier (static/verify/verify.js) against the reference
(events/ledger/report_check.py), in real Chromium: the same verdict, code,
line and text in both languages, on the reports tests/test_access_chain.py
builds and on every small corruption of them, and the same reading of base64,
hex, keys and JSON. The page is served under the app's CSP, as the app serves it."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.ledger.access_chain import b64
from events.ledger.checkpoints import key_id, sign_checkpoint, strict_b64decode, verifier_key
from events.ledger.report_check import verify_report_bytes
from intranet.paths import static_dir
from intranet.security import CSP
from tests.test_access_chain import KEY, ORIGIN, VKEY, report

BASE = "https://verify.test/"
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def serving_verifier(context):
    """A page of the context that serves static/verify/ at BASE, under the app's CSP."""
    page = context.new_page()
    files = static_dir() / "verify"
    types = {"html": "text/html", "js": "text/javascript", "css": "text/css"}

    def serve(route):
        name = route.request.url[len(BASE):].split("?")[0] or "index.html"
        path = files / name
        if not path.is_file():
            route.fulfill(status=404, body="")
            return
        route.fulfill(status=200, body=path.read_bytes(), headers={
            "Content-Type": types[path.suffix[1:]], "Content-Security-Policy": CSP})

    page.route(BASE + "**", serve)
    return page


@pytest.fixture(scope="module")
def verifier(browser):
    """A page with verify.js loaded, from a secure origin and under the app's CSP."""
    context = browser.new_context()
    page = serving_verifier(context)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(BASE)
    page.wait_for_function("document.documentElement.dataset.ready === '1'")
    yield page
    assert not errors, errors  # a CSP violation shows here
    context.close()


JS_VERDICTS = """async ([cases]) => {
  const out = [];
  for (const [data, key] of cases) {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const v = await BekymringVerify.verifyReportBytes(bytes, key);
    const params = {};
    for (const [k, value] of Object.entries(v.params)) params[k] = String(value);
    out.push([v.code, params, v.text("nb"), v.text("en")]);
  }
  return out;
}"""


def python_verdict(data: bytes, key: str):
    v = verify_report_bytes(data, key)
    return [v.code, {k: str(value) for k, value in v.params.items()}, v.text("nb"), v.text("en")]


def compare(page, cases: list[tuple[bytes, str]]) -> list:
    """Each case's verdict from both verifiers; asserts they agree and returns them."""
    js = page.evaluate(JS_VERDICTS, [[[base64.b64encode(d).decode(), k] for d, k in cases]])
    py = [python_verdict(d, k) for d, k in cases]
    for (data, key), a, b in zip(cases, py, js):
        assert a == b, (data[:400], key)
    return py


def encode(r) -> bytes:
    try:
        return json.dumps(r, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: written as JSON writes it, escaped
        return json.dumps(r).encode("ascii")


def named_reports() -> dict[str, dict]:
    removed = report()
    del removed["accesses"][2]
    altered = report()
    altered["accesses"][1]["entry"]["role"] = "leder"
    incomplete = report()
    incomplete["accesses"] = incomplete["accesses"][:3]
    forged_map = report()
    forged_map["map"]["count"] = 4
    wrong_format = report()
    wrong_format["format"] = "x"
    return {"complete": report(), "removed": removed, "altered": altered,
            "not_covered": report(covered=4, made=5), "incomplete": incomplete,
            "signature": report(signer=OTHER), "map": forged_map, "format": wrong_format}


def test_the_named_cases_give_the_same_verdict(verifier):
    names = named_reports()
    verdicts = compare(verifier, [(encode(r), VKEY) for r in names.values()])
    assert [v[0] for v in verdicts] == list(names)  # each case is the failure it is named for
    lines = {name: v[1].get("line") for name, v in zip(names, verdicts)}
    assert (lines["removed"], lines["altered"], lines["not_covered"]) == ("3", "2", "5")


def corruptions(value, path=()):
    """(path, new value or DELETE) for every node of a report: small, typed changes."""
    DELETE = object()
    yield path, DELETE
    for other in (None, 1, 1.5, True, "", "x", [], {}, -1, 1 << 64):
        yield path, other
    if isinstance(value, str) and value:
        middle = len(value) // 2
        yield path, value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1:]
        yield path, value + "\n"
        yield path, " " + value
    if isinstance(value, int) and not isinstance(value, bool):
        yield path, value + 1
        yield path, float(value)
    if isinstance(value, dict):
        for k, v in value.items():
            yield from corruptions(v, path + (k,))
    if isinstance(value, list):
        for i, v in enumerate(value):
            yield from corruptions(v, path + (i,))
        if value:
            yield path, value[:-1]
            yield path, value + value[-1:]
            yield path, value[::-1]


def apply(r, path, new):
    r = copy.deepcopy(r)
    if not path:
        return r if not isinstance(new, (dict, list, str, int, float, type(None))) else new
    target = r
    for p in path[:-1]:
        target = target[p]
    if type(new).__name__ == "object":
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return r


def test_every_small_corruption_gives_the_same_verdict(verifier):
    base = report(covered=4, made=5)
    cases = [(encode(apply(base, path, new)), VKEY) for path, new in corruptions(base)]
    verdicts = compare(verifier, cases)
    codes = {v[0] for v in verdicts}
    assert {"format", "signature", "map", "altered", "removed", "not_covered", "incomplete"} <= codes, codes


def checkpoint_variants() -> list[str]:
    r = report()
    note = r["checkpoint"]
    text, _, signature = note.partition("\n\n")
    kid = key_id(ORIGIN, KEY.public_key())

    def signed(text_: str) -> str:
        return f"{text_}\n\u2014 {ORIGIN} {base64.b64encode(kid + KEY.sign(text_.encode())).decode()}\n"

    lines = text.split("\n")
    root = lines[2]
    other = sign_checkpoint(ORIGIN, 99, hashlib.sha256(b"tree").digest(), "other", OTHER).note
    other_signature = other.partition("\n\n")[2]
    return [
        note, text + "\n", note.replace("\u2014", "-"), note + "\n", note[:-1], note.replace("\n\n", "\n"),
        f"{text}\n\n{other_signature}{signature}",  # a signature by another key is passed over
        f"{text}\n\n{signature}{signature}",
        f"{text}\n\n\u2014 {ORIGIN} AAAA\n", f"{text}\n\n\u2014 {ORIGIN} AAAAAAAA\n", f"{text}\n\n\u2014  x\n",
        f"{text}\n\n\u2014 {ORIGIN} !!!!\n", f"{text}\n\n" + f"\u2014 a {b64(bytes(32))}\n" * 65,
        note.replace("\n99\n", "\n099\n"), note.replace("\n99\n", "\n\u0669\u0669\n"), note.replace(root, root[:-1]),
        note.replace(ORIGIN, "x", 1), note.replace("\n", "\r\n"), note.replace(ORIGIN, ORIGIN + "\ud800", 1),
        signed("\n".join(lines[:3]) + "\n"),  # no map
        signed("\n".join(lines[:3] + ["bekymring-signed 2026-12-07T12:00:00Z", lines[3]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3].replace("bekymring-children ", "bekymring-children \u0667"),
                                      lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3] + " extra", lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3], lines[4].replace("2026", "\u0662\u0660\u0662\u0666")]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3], lines[3].replace(" 7 ", " 8 "), lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3].replace(" 7 ", " 8 "), lines[3], lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3].replace(" 7 ", " 7  "), lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3].replace(" 7 ", " 0 "), lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3].replace(" 7 ", " 18446744073709551616 "), lines[4]]) + "\n"),
        signed("\n".join(lines[:3] + [lines[3], lines[4] + "\n"]) + "\n"),
    ]


def test_checkpoint_notes_are_read_alike(verifier):
    r = report()
    cases = []
    for note in checkpoint_variants():
        cases.append((encode({**r, "checkpoint": note}), VKEY))
    verdicts = compare(verifier, cases)
    assert verdicts[0][0] == "complete"
    assert {"format", "signature", "no_map", "map", "complete"} <= {v[0] for v in verdicts}


def test_keys_are_read_alike(verifier):
    name, kid, key = VKEY.split("+", 2)
    other = verifier_key(ORIGIN, OTHER.public_key())
    not_ed25519 = base64.b64encode(b"\x02" + bytes(32)).decode()
    keys = [
        VKEY, "", "  ", "a+b", "a+b+c", VKEY + "\n", " \x85" + VKEY + "\u3000", "\ufeff" + VKEY, VKEY + "\x1c",
        f"{name}+{kid.upper()}+{key}", f"{name}+{kid[:2]} {kid[2:]}+{key}", f"{name}+{kid[:3]}+{key}",
        f"{name}+{kid}+{key[:-1]}", f"{name}+{kid}+{not_ed25519}",
        f"x+{kid}+{key}", f"+{kid}+{key}", f"a b+{kid}+{key}", "it's a\u00a0b\x7f+00+AA==", f"{name}+{kid}+{key}+",
        other, other.replace(ORIGIN, "bekymring.test/other"),
        verifier_key("a\"b'c", KEY.public_key()).replace("a\"b'c", "a\"b'c d"),
    ]
    cases = [(encode(report()), k) for k in keys]
    verdicts = compare(verifier, cases)
    assert verdicts[0][0] == "complete" and verdicts[1][0] == "key"


def test_files_that_are_not_reports_are_read_alike(verifier):
    good = encode(report())
    files = [b"", b"{", b"[]", b"null", b"1", b'"x"', b"\xff", b"\xef\xbb\xbf" + good, good + b"\n",
             b'{"format": NaN}', b'{"format": "bekymring-innsyn-v1"}', good.replace(b'"index": ', b'"index": 1.0 + ', 1),
             good.replace(b'"count": 5', b'"count": 5.0'), good.replace(b'"count": 5', b'"count": 5e0'),
             good.replace(b'"count": 5', b'"count": 5000000000000000000001'),
             good.replace(b'"count": 5', b'"count": -0'), good.replace(b'"count": 5', b'"count": Infinity'),
             good.replace(b'"role": "ansatt"', b'"role": "\\ud800"', 1),
             good.replace(b'"role": "ansatt"', b'"role": "a\\u2028b"', 1),
             good.replace(b'"records": ["concern", "child.name"]', b'"records": ["a,b"]', 1),
             good.replace(b'"records": ["concern", "child.name"]', b'"records": []', 1),
             good.replace(b'"basis_ref": null', b'"basis_ref": "x\\ry"', 1),
             good.replace(b'"format"', b'"format": 1, "format"', 1)]
    verdicts = compare(verifier, [(f, VKEY) for f in files])
    assert verdicts[7][0] == "complete"


def test_base64_and_hex_are_read_as_the_reference_reads_them(verifier):
    rng = random.Random(31)
    strings = ["".join(rng.choice("AQB=+/ -_a\n") for _ in range(rng.randrange(10))) for _ in range(3000)]
    js = verifier.evaluate("""(strings) => strings.map(s => {
        let b, h;
        try { b = Array.from(BekymringVerify.b64decode(s)); } catch (e) { b = null; }
        try { h = Array.from(BekymringVerify.fromhex(s)); } catch (e) { h = null; }
        return [b, h, BekymringVerify.pyStrip(s), BekymringVerify.pyRepr(s)];
    })""", strings)
    for s, (b, h, stripped, rep) in zip(strings, js):
        try:
            expected_b = list(strict_b64decode(s))
        except ValueError:
            expected_b = None
        try:
            expected_h = list(bytes.fromhex(s))
        except ValueError:
            expected_h = None
        assert (b, h, stripped, rep) == (expected_b, expected_h, s.strip(), repr(s)), s


@pytest.mark.parametrize("query, expected", [("", "nb"), ("?lang=en", "en")])
def test_the_page_speaks_norwegian_unless_asked_for_english(browser, query, expected):
    """Norwegian is the default, as in the app, even in a browser set to English;
    the English /om/logg links to the page with ?lang=en."""
    context = browser.new_context(locale="en-GB")
    page = serving_verifier(context)
    page.goto(BASE + query)
    page.wait_for_function("document.documentElement.dataset.ready === '1'")
    assert page.evaluate("document.documentElement.lang") == expected
    context.close()
