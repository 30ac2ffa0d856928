"""Rendering: one template per page, and the htmx fragment chosen in one place."""

from __future__ import annotations

import hashlib
import json
import types
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import Context
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from events.clock import OSLO
from intranet import i18n, labels
from intranet.i18n import N_
from intranet.forms import csrf_token, set_anonymous_csrf_cookie
from intranet.guard import CHILD_DATA_MARK, check_render
from intranet.paths import static_dir, templates_dir


@lru_cache(maxsize=None)
def _fingerprint(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """A URL that changes when the file does, so it can be cached for a year."""
    path = static_dir() / name
    return f"/static/{name}?v={_fingerprint(path, path.stat().st_mtime)}"


# Outside development the static files change only with a deployment, which
# restarts the server: each URL is worked out once, not on every page.
_static_url_once = lru_cache(maxsize=None)(static_url)


# Quotation marks people type around a child's words; the templates add «» themselves.
QUOTE_PAIRS = (("«", "»"), ('"', '"'), ("“", "”"), ("„", "“"), ("'", "'"), ("‘", "’"), ("»", "«"))


def unquoted(text: str) -> str:
    """The words without the one pair of quotation marks around them, if any."""
    text = text.strip()
    for opening, closing in QUOTE_PAIRS:
        if len(text) > 1 and text.startswith(opening) and text.endswith(closing):
            return text[len(opening):-len(closing)].strip()
    return text


def nodate(value: date | None) -> str:
    """A date the Norwegian way (23.11.2026), or the user's language's."""
    return i18n.short_date(value) if value else "–"


def when(value: datetime | None) -> str:
    """A moment in Norwegian time: 23.11.2026 kl. 14.05."""
    return i18n.moment(value, OSLO) if value else "–"


def clock(value: float | datetime) -> str:
    """The time of day in Norwegian time: 14.05 (14:05 in English)."""
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, tz=OSLO)
    return i18n.clock_time(value.astimezone(OSLO))


def _gettext(message: str, **variables: Any) -> Markup:
    """Jinja's newstyle gettext (escaped, a format string), called directly:
    its own `_()` goes through two more wrappers, a real share of rendering a
    text-heavy page (the concern page has about 100 texts). The
    environment always autoescapes, so no context is needed; a text with no
    variables is not formatted (no msgid holds a literal '%')."""
    text = Markup(i18n.gettext(message))
    return text % variables if variables else text


def checklist(steps: tuple[str, ...]) -> tuple[tuple[str, Markup, Markup, Markup], ...]:
    """The action guide's steps as the concern page shows them: each step, its
    text, and its button's label when it is done and when not. The same for every
    concern at a level, in a language: worked out once, not at each render."""
    return _checklist(i18n.current_language.get(), tuple(steps))


@lru_cache(maxsize=64)
def _checklist(language: str, steps: tuple[str, ...]) -> tuple[tuple[str, Markup, Markup, Markup], ...]:
    texts = [(step, _gettext(labels.STEPS[step])) for step in steps]  # in `language`, the current one
    return tuple((step, text, _gettext(N_("Fjern avkrysning: %(step)s"), step=text),
                  _gettext(N_("Kryss av: %(step)s"), step=text)) for step, text in texts)


# The form helpers every template uses, as plain functions: as Jinja macros each
# call built a new template context, and the concern page makes about sixty.
def csrf(token: str) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % token


_NOTHING = Markup("")  # what a form helper gives for a form with no errors: one, not a new one each call


# A form's errors, one way everywhere (docs/decisions.md, "Errors and focus after a swap"):
# a summary that is announced and takes the focus, and beside each field its
# message, with an id the field names in aria-describedby.
def err(f: dict[str, Any], name: str, field_id: str) -> Markup:
    """The error beside a field of one of a page's small forms. `f` is
    {"values": {...}, "errors": {...}} for the form that was posted, else {};
    `field_id` is the field's id: the message's is `field_id` + "-error"."""
    error = f.get("errors", {}).get(name) if f else None
    if not error:
        return _NOTHING
    return Markup('<p class="field-error" id="%s-error">%s</p>') % (
        field_id, _gettext("Feil: %(error)s", error=error))


def invalid(f: dict[str, Any], name: str, field_id: str) -> Markup:
    """The attributes that mark a field invalid and tie it to its message (`err`)."""
    if not (f and f.get("errors", {}).get(name)):
        return _NOTHING
    return Markup(' aria-invalid="true" aria-describedby="%s-error"') % field_id


def error_summary(errors: dict[str, str] | None) -> Markup:
    """A posted form's errors, said once at its top: announced (role=alert) and,
    after an htmx swap or on the page again, given the focus (`data-focus`,
    static/a11y.js). The error not tied to a field (`_form`) stands here."""
    if not errors:
        return _NOTHING
    fields = len([name for name in errors if name != "_form"])
    parts = []
    if errors.get("_form"):
        parts.append(Markup("<p>%s</p>") % errors["_form"])
    if fields:
        parts.append(Markup("<p>%s</p>") % i18n.ngettext(
            "Skjemaet har %(num)d feil. Se merknaden ved feltet.",
            "Skjemaet har %(num)d feil. Se merknadene ved feltene.", fields) % {"num": fields})
    return Markup('<div class="flash error error-summary" role="alert" tabindex="-1" data-focus>%s</div>') % Markup(
        "").join(parts)


def val(f: dict[str, Any], name: str, default: Any = "") -> Any:
    """The value the user typed into a field of a posted form, else `default`."""
    return f.get("values", {}).get(name, default) if f else default


class _TranslateConstantTexts(NodeTransformer):
    """Replaces `_("text")`, `gettext("text")` and a {% trans %} block without
    variables by the translated text itself, marked safe as `_gettext` would
    return it. Jinja then joins it with the template's literal HTML, so the
    concern page's hundred-odd constant texts cost nothing per render (they
    were a tenth of its rendering time, as calls through the context)."""

    def __init__(self, language: str) -> None:
        self.translate = i18n.translations(language).gettext

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and not (node.kwargs or node.dyn_args or node.dyn_kwargs)
        ):
            return nodes.MarkSafe(nodes.Const(self.translate(node.args[0].value)), lineno=node.lineno)
        return node


# Callables that cannot be marked pass_context and the like: a built-in (such
# as `names.get`) has no attributes, a method-wrapper neither.
_PLAIN_CALLABLES = (types.BuiltinFunctionType, types.MethodWrapperType)


class _Context(Context):
    """Calls a plain function from a template directly. Jinja looks each callee
    over for pass_context and the like first (four attribute lookups, two of
    them failing), which adds up over the concern page's hundred-odd calls per
    render. Anything else (macros, marked
    functions, methods of classes) goes Jinja's own way."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        kind = type(__obj)
        if kind in _PLAIN_CALLABLES or (kind is types.FunctionType and "jinja_pass_arg" not in __obj.__dict__):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja does
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


def _escape(value: Any) -> Markup:
    """Autoescape's `escape`, except that a value already safe (exactly a Markup:
    a translated text, a form helper's HTML) is passed on as it is. Markupsafe's
    makes a copy of it (`__html__`, then a new Markup): on the concern page,
    four in five of its 230-odd escapes per render were of such values. The
    HTML is the same: the copy holds the same characters."""
    if type(value) is Markup:
        return value
    return escape(value)


class _Template(jinja2.Template):
    @classmethod
    def _from_namespace(cls, environment, namespace, globals):  # noqa: A002 - Jinja's signature
        # The compiled template's module: its output statements call `escape` from here.
        namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


class _LanguageEnvironment(jinja2.Environment):
    """The templates of one language: constant texts are translated when a
    template is compiled. Texts built at run time still go through `_gettext`."""

    context_class = _Context
    template_class = _Template

    def __init__(self, language: str, **options: Any) -> None:
        super().__init__(**options)
        self.language = language

    # Jinja has no public hook after parsing; `_parse` is where `compile` gets the
    # tree. tests/test_language.py fails if an upgrade stops the folding.
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _TranslateConstantTexts(self.language).visit(super()._parse(source, name, filename))


def make_templates(development: bool = False, *, municipality: str = "", demo: bool = False,
                   directory: Path | None = None) -> dict[str, Jinja2Templates]:
    """The templates, one compiled set per language (`render` picks the
    request's). In `development` (demo mode) edited templates and static files
    show at once; otherwise templates are compiled once and never checked for
    changes again, which every page would otherwise pay for. Of the settings,
    templates see only `municipality` and `demo`, as globals.
    `directory`: templates other than the installed ones (to compare two versions of them)."""
    site = {"municipality": municipality, "demo": demo}
    return {language: _language_templates(language, development, site, directory or templates_dir())
            for language in i18n.LANGUAGES}


def _language_templates(language: str, development: bool, site: dict[str, Any], directory: Path) -> Jinja2Templates:
    env = _LanguageEnvironment(
        language,
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=development,
    )
    # {% trans %} blocks ignore line breaks and indentation, as babel.cfg extracts them.
    env.policies["ext.i18n.trimmed"] = True
    templates = Jinja2Templates(env=env)
    # The msgids are the Norwegian texts. What is not constant is translated
    # per call, in the request's language (a context variable).
    templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    templates.env.globals.update(_=_gettext, gettext=_gettext)
    templates.env.globals.update(site)
    templates.env.globals["static_url"] = static_url if development else _static_url_once
    # The domain's words (marked with N_(), shown as {{ _(labels.STATUS[key]) }}).
    templates.env.globals["labels"] = labels
    # The shared macros are globals, so a block rendered alone (an htmx fragment) sees them.
    macros = templates.env.get_template("_macros.html").module
    for name in ("field", "select"):
        templates.env.globals[name] = getattr(macros, name)
    templates.env.globals.update(checklist=checklist, csrf=csrf, err=err, invalid=invalid, error_summary=error_summary, val=val)
    templates.env.filters.update(
        nodate=nodate, when=when, clock=clock, unquoted=unquoted,
        # A dict of marked (N_) words, translated: `roles | translated`.
        translated=i18n.translated,
        # Read models store ISO strings.
        isodate=lambda text: nodate(date.fromisoformat(text)) if text else "–",
        isowhen=lambda text: when(datetime.fromisoformat(text)) if text else "–",
        # Content that stays Norwegian inside a translated sentence (a binder
        # page's title), so a screen reader on an English page reads it as bokmål.
        nb=lambda text: Markup('<span lang="nb">{}</span>').format(text),
    )
    templates.env.globals["unit_options"] = lambda units: [(u["id"], u["name"]) for u in units]
    templates.env.globals["kind_options"] = lambda kinds: [(k, labels.unit_kind(k)) for k in kinds]
    return templates


def wants_fragment(request: Request) -> bool:
    """A plain htmx request gets the fragment; boosts and history restores get the page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


@lru_cache(maxsize=None)
def _marked(loader: jinja2.BaseLoader, env: jinja2.Environment, template: str) -> bool:
    """Whether the template says it shows children's data (intranet/guard.py)."""
    source, _filename, _uptodate = loader.get_source(env, template)
    return source.startswith(CHILD_DATA_MARK)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str = "content",
    status_code: int = 200,
) -> Response:
    """Render a page, or only its `fragment` block for a plain htmx request.
    Refused if it would show a child's data no access event covers."""
    language = i18n.current_language.get()
    templates: Jinja2Templates = request.app.state.templates[language]
    context = dict(context or {})
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("me", getattr(request.state, "account", None))
    context.setdefault("csrf_token", csrf_token(request))
    context.setdefault("lang", language)
    context.setdefault("languages", i18n.LANGUAGES)
    # Shown by a break-the-glass grant only (decided by guard.require): read-only, until when.
    context.setdefault("read_only_until", getattr(request.state, "read_only_until", None))
    context.setdefault("read_only", context["read_only_until"] is not None)
    # What a change did, said by the page's polite live region (#announce), and
    # the element (an id) that gets the focus after the swap (static/a11y.js).
    # A change's fragment always sets the region ("" after a failure, so no
    # earlier success stands beside it); other fragments leave it alone.
    announces = "announce" in context
    announce = context.setdefault("announce", "")
    focus = context.get("focus")
    check_render(request, template, context, _marked(templates.env.loader, templates.env, template))
    if wants_fragment(request):
        tmpl = templates.get_template(template)
        ctx = tmpl.new_context({"request": request, **context})
        if fragment in tmpl.blocks:
            html = "".join(tmpl.blocks[fragment](ctx))
        else:  # a partial template (`_name.html`) is a fragment as a whole
            html = tmpl.render(ctx.get_all())
        if announces:
            html += str(Markup('<div id="announce" hx-swap-oob="innerHTML">%s</div>') % announce)
        response: Response = Response(html, status_code=status_code, media_type="text/html")
        if focus:
            response.headers["HX-Trigger-After-Settle"] = json.dumps({"focus-after-swap": focus})
    else:
        response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    set_anonymous_csrf_cookie(request, response)  # before sign-in, forms need it too
    return response
