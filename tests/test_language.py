"""Language: Norwegian bokmål by default, English on request (kept on the account,
or before sign-in in a cookie), every message translated, no template text left
unmarked."""

from __future__ import annotations

import re
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from babel.dates import format_date
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import nodes
from starlette.testclient import TestClient

from events import clock
from intranet import i18n
from intranet.templating import make_templates
from tests.htmltree import dom
from tests.webclient import PASSWORD, csrf_of

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "intranet" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"


def in_english(day: date) -> str:
    return format_date(day, format="medium", locale="en_GB")  # 23 Nov 2026


def choose_language(web, client, language: str, page: str = "/"):
    """Press the language button in the footer of `page`."""
    response = web.post_form(client, "/konto/sprak", {"language": language, "next": page}, page=page)
    assert response.status_code == 303 and response.headers["location"] == page
    return response



def language_button(doc, code):
    """The button that switches to `code`, labelled in that language."""
    button = doc.one(f"button[name=language][value={code}]")
    assert button["lang"] == code and "link" in button.classes
    return button

def test_the_interface_is_norwegian_by_default(web):
    anonymous = web.client()
    login = anonymous.get("/logg-inn")
    doc = dom(login.text)
    assert doc.one("html")["lang"] == "nb"
    assert doc.one("h1").text == "Logg inn" and "Brukernavn" in login.text
    assert language_button(doc, "en").text == "English"  # the way out

    staff = web.login("staff")
    home = staff.get("/")
    assert dom(home.text).one("html")["lang"] == "nb"
    assert "Fra bekymring til handling" in home.text and "Mine bekymringer" in home.text
    concern = staff.get(f"/bekymringer/{web.concerns['own']}").text
    assert "Bekymring for" in concern and "Handlingsveileder" in concern
    assert clock.today().strftime("%d.%m.%Y") in concern  # dates the Norwegian way
    assert "Skjemaet har" in staff.post("/bekymringer/ny", data={"csrf_token": csrf_of(home.text)}).text


def test_a_signed_in_user_switches_to_english_and_keeps_it(web):
    staff = web.login("staff")
    choose_language(web, staff, "en")
    # The choice is an event on the user's account.
    assert web.domain.get_user(web.ids["users"]["pedleder"]).language == "en"

    home = staff.get("/")
    assert dom(home.text).one("html")["lang"] == "en"
    assert "From concern to action" in home.text
    assert "My concerns" in home.text and "Skip to main content" in home.text
    assert "Fra bekymring til handling" not in home.text
    assert "kindergarten" in home.text  # the units' kinds too
    assert language_button(dom(home.text), "nb").text == "Norsk bokmål"  # and back

    # A concern: labels, the action guide's steps and dates in English.
    today = clock.today()
    concern = staff.get(f"/bekymringer/{web.concerns['own']}").text
    assert "Concern for" in concern and "Action guide: Level" in concern
    assert "Neglect" in concern and "Talk to the guardians and the child by" in concern
    assert in_english(today) in concern
    assert today.strftime("%d.%m.%Y") not in concern
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d: ", concern)  # the history's moments

    # Lists show ISO dates from the read models in English too.
    assert in_english(today) in staff.get("/bekymringer").text

    # An htmx fragment, with a validation error from Python.
    token = csrf_of(concern)
    version = re.search(r'name="version" value="(\d+)"', concern).group(1)
    fragment = staff.post(f"/bekymringer/{web.concerns['own']}/logg", headers={"HX-Request": "true"},
                          data={"csrf_token": token, "version": version, "observed_on": today.isoformat(),
                                "text": "", "child_words": ""})
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert "Error: The observation is required." in fragment.text
    assert "Add to the log" in fragment.text

    # A form with several validation errors, without JavaScript.
    bad = staff.post("/bekymringer/ny", data={"csrf_token": token, "child_id": "", "observation": ""})
    assert bad.status_code == 422 and "<html" in bad.text
    assert "The form has 5 errors. See the notes next to the fields." in bad.text
    assert "Error: Choose at least one category." in bad.text
    assert "Error: What you have seen or heard is required." in bad.text

    # An error page.
    missing = staff.get(f"/bekymringer/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert "Page not found" in missing.text and "Finner ikke siden" not in missing.text

    # The htmx autosave's status line tells the time the English way.
    saved = staff.post("/bekymringer/utkast", headers={"HX-Request": "true"},
                       data={"csrf_token": token, "observation": "Halvskrevet"})
    assert re.fullmatch(r"Draft saved at \d\d:\d\d", saved.text.strip())

    # It lasts across signing out and in again, in a new browser without the cookie.
    staff.post("/logg-ut", data={"csrf_token": token})
    again = web.login("staff")
    assert '<html lang="en">' in again.get("/").text

    # And another user is not affected.
    assert '<html lang="nb">' in web.login("unit_leader").get("/").text

    # Switching back.
    choose_language(web, again, "nb")
    assert '<html lang="nb">' in again.get("/").text


def test_other_pages_in_english(web):
    leader = web.login("unit_leader")
    choose_language(web, leader, "en")
    pages = {
        f"/ressursteam/{web.meeting}": ["Autumn meeting", "Chair:", "General issues"],
        "/arshjul": ["Yearly wheel", "Training and information", "Autumn meeting of the resource team"],
        "/arshjul/ny": ["New item on the yearly wheel", "How often", "Every year"],
        "/konto/kalender": ["The yearly wheel in your calendar", "Make an address for the calendar feed"],
        "/perm": ["Electronic binder", "Action guide (BTI)"],
        "/overforinger": ["Transfers between units", "Sent from the unit"],
        f"/overforinger/{web.transfers['own']}": ["Transfer of", "Kindergarten → school", "Tracking"],
        f"/henvisninger/{web.referrals['own_ppt']}": ["Referral to PPT", "Valid consent covers"],
        "/bekymringer/forfalt": ["Overdue", "Reports to child welfare services without confirmed receipt"],
        f"/barn/{web.child_in('solsikken')}": ["Guardians", "Parental responsibility", "Valid today for:"],
        "/konto": ["My account", "Unit leader (kindergarten head/head teacher)"],
        "/tilgjengelighet": ["Accessibility statement", "The statement was last updated on 23 Nov 2026."],
    }
    for url, texts in pages.items():
        response = leader.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.text, url
        for text in texts:
            assert text in response.text, (url, text)


def test_an_unexpected_error_is_explained_in_the_users_language(web, monkeypatch):
    staff = web.login("staff")
    choose_language(web, staff, "en")
    browser = TestClient(web.app, base_url="https://testserver", raise_server_exceptions=False)
    browser.cookies = staff.cookies

    def broken(*args, **kwargs):
        raise RuntimeError("the read model is gone")

    monkeypatch.setattr(web.projections["concerns"].view, "mine", broken)  # what staff's front page reads
    response = browser.get("/")
    assert response.status_code == 500
    assert '<html lang="en">' in response.text and "Something went wrong" in response.text
    assert "read model" not in response.text


def test_before_sign_in_the_cookie_chooses_the_language(web):
    browser = web.client()
    response = choose_language(web, browser, "en", page="/logg-inn")
    assert "bk-lang=en" in response.headers["set-cookie"]
    login = browser.get("/logg-inn")
    assert '<html lang="en">' in login.text
    assert "<h1>Sign in</h1>" in login.text and "Username" in login.text and "Password" in login.text
    # The sign-in form's own errors are in English too.
    wrong = browser.post("/logg-inn", data={"csrf_token": csrf_of(login.text), "username": "pedleder",
                                            "password": "not the password"})
    assert wrong.status_code == 422 and "Wrong username or password." in wrong.text
    # The public accessibility statement follows the cookie as well.
    assert "Accessibility statement for Bekymring" in browser.get("/tilgjengelighet").text
    # Signed in, the account's own language (here the default) decides.
    signed_in = web.post_form(browser, "/logg-inn", {"username": "pedleder", "password": PASSWORD})
    assert signed_in.status_code == 303
    assert '<html lang="nb">' in browser.get("/").text


# -- the catalogue ----------------------------------------------------------------------------
def catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def test_every_message_has_an_english_translation():
    po = catalogue()
    problems = []
    for message in po:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(message.id)
    assert problems == []
    assert [(m.id, errors) for m, errors in po.check()] == []  # placeholders match


def test_every_marked_string_in_the_code_is_in_the_catalogue():
    """Catches a new _() or N_() without `pybabel extract` and `update` afterwards."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    extracted = {
        message
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map,
                                                    keywords={**DEFAULT_KEYWORDS, "N_": None})
    }
    known = {m.id for m in catalogue() if m.id}
    assert sorted(map(str, extracted - known)) == []


# -- templates without unmarked text ----------------------------------------------------------
# Text left as it is on purpose: the product's name.
ALLOWED_TEXT = {"Bekymring", "Bekymring –"}
# String constants in template expressions that are keys, not words for the user.
ALLOWED_CONSTANTS = {"Viewed"}
LETTERS = re.compile(r"[A-Za-zÆØÅæøåÉé]{2,}")
JINJA_TAGS = re.compile(r"\{#.*?#\}|\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
VISIBLE_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}
GETTEXT = {"_", "gettext", "ngettext"}
LOOKS_LIKE_WORDS = re.compile(r"[æøåÆØÅ]|^[A-ZÆØÅ][a-zæøå]+|[A-Za-zæøå]{2,} [A-Za-zæøå]{2,}")


class TextFinder(HTMLParser):
    """Text nodes and user-visible attribute values that contain words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and LETTERS.search(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_data(self, data):
        if LETTERS.search(data) and data.strip() not in ALLOWED_TEXT:
            self.found.append((self.getpos()[0], data.strip()))


def constants_outside_gettext(node, inside=False):
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT:
        inside = True
    if (isinstance(node, nodes.Const) and isinstance(node.value, str) and not inside
            and LOOKS_LIKE_WORDS.search(node.value) and node.value not in ALLOWED_CONSTANTS):
        yield node.lineno, node.value
    for child in node.iter_child_nodes():
        yield from constants_outside_gettext(child, inside)


def test_templates_have_no_unmarked_text():
    """Every word a template shows goes through _() or {% trans %}: text between
    tags, visible attributes, and string literals in expressions."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    unmarked = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        # Blank out Jinja (keeping the line numbers), then look at what HTML is left.
        finder = TextFinder()
        finder.feed(JINJA_TAGS.sub(lambda m: "\n" * m.group(0).count("\n"), source))
        unmarked += [f"{name}:{line}: {text!r}" for line, text in finder.found]
        unmarked += [f"{name}:{line}: {text!r}" for line, text in constants_outside_gettext(env.parse(source))]
    assert unmarked == []


def test_constant_texts_are_translated_when_a_template_is_compiled():
    def not_called(*args, **kwargs):
        raise AssertionError("a constant text was translated at render time")

    templates = make_templates()
    constant = '{{ _("Avbryt") }}|{% trans %}Avbryt{% endtrans %}|{{ field_name("x", _("Avbryt")) }}'
    for language, word in (("nb", "Avbryt"), ("en", "Cancel")):
        env = templates[language].env
        folded = env.from_string(constant, globals={"_": not_called, "gettext": not_called,
                                                    "field_name": lambda name, label: label})
        assert folded.render() == f"{word}|{word}|{word}"
        # A text known only at render time is still translated then, in the request's language.
        token = i18n.current_language.set(language)
        try:
            assert env.from_string("{{ _(text) }}").render(text="Avbryt") == word
        finally:
            i18n.current_language.reset(token)


def test_templates_call_plain_functions_directly_and_the_rest_as_jinja_does():
    # intranet/templating.py's _Context: a plain function or a built-in is called
    # without Jinja's look for pass_context; whatever is marked still gets its context.
    import jinja2

    @jinja2.pass_context
    def who(context, greeting):
        return f"{greeting} {context['name']}"

    def stops():
        raise StopIteration

    env = make_templates()["nb"].env
    template = env.from_string(
        '{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}'
        '{{ plain(1, b=2) }}|{{ names.get("a", "–") }}|{{ who("Hei") }}|{{ twice("o") }}|'
        '{% for n in [1] %}{{ who("Hallo") }}{% endfor %}|{{ stops() is undefined }}')
    rendered = template.render(plain=lambda a, b: a + b, names={"a": "Kari"}, who=who, stops=stops, name="Liv")
    assert rendered == "3|Kari|Hei Liv|oo|Hallo Liv|True"


# -- the domain's refusals ------------------------------------------------------------------
def domain_error_classes() -> set[str]:
    import events.application  # noqa: F401 - imports every aggregate and its errors
    from events.errors import DomainError

    found, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def raised_codes() -> dict[str, list[str]]:
    """Every code a `raise SomeDomainError("code", ...)` in events/ names, and where."""
    import ast

    classes = domain_error_classes()
    codes: dict[str, list[str]] = {}
    for path in sorted((ROOT / "events").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            call = node.exc
            if not (isinstance(call.func, ast.Name) and call.func.id in classes):
                continue
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                codes.setdefault(first.value, []).append(f"{path.name}:{node.lineno}")
            elif isinstance(first, ast.Name):  # a variable holding one of several codes
                codes.setdefault(f"<{first.id}>", []).append(f"{path.name}:{node.lineno}")
    return codes


def test_every_domain_refusal_has_a_code_with_a_norwegian_and_an_english_message():
    from events.errors import CODES
    from intranet.error_messages import MESSAGES

    raised = raised_codes()
    assert len(raised) > 100  # the scan found the raises
    # A code chosen at run time is one of the registry's (checked by the constructor too).
    assert {c for c in raised if c not in CODES and not c.startswith("<")} == set()
    assert set(MESSAGES) == set(CODES)
    english = i18n.translations("en")
    untranslated = [code for code, msgid in MESSAGES.items()
                    if not english.gettext(msgid).strip() or english.gettext(msgid) == msgid]
    assert untranslated == []


def test_every_reason_a_consent_does_not_cover_has_a_norwegian_and_an_english_message():
    from events.consents import REFUSALS
    from intranet import labels

    assert set(labels.REFUSALS) == set(REFUSALS)
    english = i18n.translations("en")
    assert [code for code, msgid in labels.REFUSALS.items() if english.gettext(msgid) == msgid] == []


def test_a_domain_error_is_shown_translated_beside_its_field():
    from events.concerns import InvalidConcern
    from events.consents import NO_CONSENT, InvalidConsent
    from events.meetings import ConsentDoesNotCoverMeeting
    from events.referrals import InvalidReferral
    from intranet.error_messages import field_errors

    future = InvalidConcern("date.in_future", "observed_on")
    assert str(future) == "observed_on is in the future"  # for logs
    assert field_errors(future) == {"observed_on": "Datoen kan ikke være fram i tid."}
    missing = InvalidConsent("consent.signatures_missing", "signers", names=["Tor Berg", "Siri Berg"])
    assert field_errors(missing)["signers"].startswith("Mangler underskrift fra: Tor Berg, Siri Berg.")
    fields = InvalidReferral("referral.fields_missing", fields=["reporter_phone", "not_informed_reason"])
    assert field_errors(fields) == {"_form": "Fyll ut før sending: Telefon, Hvorfor foresatte ikke er orientert."}
    no_consent = ConsentDoesNotCoverMeeting({"barnevern": NO_CONSENT})
    assert "Mangler: Barnevernet: det er ikke registrert samtykke for barnet." in field_errors(no_consent)["mode"]
    token = i18n.current_language.set("en")
    try:
        assert field_errors(future) == {"observed_on": "The date cannot be in the future."}
        assert "Missing: Child welfare services (barnevernet): no consent is recorded for the child." in field_errors(no_consent)["mode"]
    finally:
        i18n.current_language.reset(token)


def test_a_code_without_a_message_shows_a_general_one_and_is_logged(monkeypatch, caplog):
    from events.referrals import InvalidReferral
    from intranet import error_messages

    monkeypatch.delitem(error_messages.MESSAGES, "referral.already_closed")
    with caplog.at_level("ERROR", logger="intranet.error_messages"):
        shown = error_messages.field_errors(InvalidReferral("referral.already_closed"))
    assert shown == {"_form": "Endringen kunne ikke lagres. Prøv igjen, eller kontakt brukerstøtte hvis det gjentar seg."}
    assert "referral.already_closed" in caplog.text
    assert "already closed" not in shown["_form"]


def test_an_unknown_code_is_refused_where_it_is_raised():
    from events.errors import DomainError

    with pytest.raises(ValueError, match="CODES"):
        DomainError("concern.made_up")


def outside_norwegian(doc, corpus: str) -> list[str]:
    """The text nodes of `doc` (its title and <main>) that are Norwegian content
    from `corpus` (whole words of it) but sit in no element with lang="nb".
    People's and units' names are names in any language."""
    from intranet.demo_data import UNITS, USERS

    names = {u["name"] for u in USERS} | {u["name"] for u in UNITS}
    def lang_of(element):
        while element is not None and element.tag != "#root":
            if "lang" in element:
                return element["lang"]
            element = element.parent
        return None

    found = []
    for container in doc.select("title, main"):
        for element in [container, *container.elements()]:
            for child in element.children:
                text = " ".join(child.split()) if isinstance(child, str) else ""
                if (sum(c.isalpha() for c in text) >= 4 and text not in names and lang_of(element) != "nb"
                        and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", corpus)):
                    found.append(f"<{element.tag}> {text[:60]}")
    return found


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
def test_the_binders_norwegian_text_is_marked_as_norwegian_on_english_pages(web):
    """The binder is written in bokmål; on an English page a screen reader must
    read it as bokmål, so every text node of it sits inside lang="nb"."""
    from intranet.demo_binder import CASE, PAGES

    editor = web.login("unit_leader")
    choose_language(web, editor, "en")
    # A second version with a new title, so history and comparison show titles side by side.
    form = editor.get("/perm/case-sulten-jente/rediger").text
    revision = dom(form).one("input[name=revision]")["value"]
    assert editor.post("/perm/case-sulten-jente/rediger", data={
        "csrf_token": csrf_of(form), "revision": revision, "title": "Case: Jenta som var sulten",
        "body": CASE + "\n\nHun fikk frokost i barnehagen.", "note": ""}).status_code == 303
    corpus = "\n".join(" ".join(text.split()) for _, _, title, body, *_ in PAGES for text in (title, body))
    corpus += "\nCase: Jenta som var sulten\nHun fikk frokost i barnehagen."

    seen, queue, failures = set(), ["/perm"], []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = editor.get(path)
        assert response.status_code == 200, path
        doc = dom(response.text)
        assert doc.one("html")["lang"] == "en"
        failures += [f"{path}: {problem}" for problem in outside_norwegian(doc, corpus)]
        queue += [a["href"].split("#")[0] for a in doc.select("main a[href^='/perm']")]
    search = web.post_form(editor, "/perm/sok", {"q": "barn"})
    failures += [f"search: {problem}" for problem in outside_norwegian(dom(search.text), corpus)]
    # Every page, history and comparison was read, and the check can fail.
    assert {"/perm/handlingsveileder", "/perm/case-sulten-jente/historikk"} <= seen
    assert any(p.startswith("/perm/case-sulten-jente/sammenlign") for p in seen)
    assert outside_norwegian(dom("<main><p>Handlingsveileder – slik går du fram</p></main>"), corpus)
    # The editor's fields hold bokmål too (read aloud, and spell-checked, as such).
    for path in ("/perm/case-sulten-jente/rediger", "/perm/ny"):
        form = dom(editor.get(path).text)
        assert form.one("input[name=title]")["lang"] == form.one("textarea[name=body]")["lang"] == "nb", path
    assert failures == [], "\n".join(failures)
