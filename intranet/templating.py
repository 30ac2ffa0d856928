"""Rendering: one template per page, and the htmx fragment chosen in one place."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from intranet import i18n, labels
from intranet.forms import csrf_token, set_anonymous_csrf_cookie
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


OSLO = ZoneInfo("Europe/Oslo")


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
    its own `_()` goes through two more wrappers, which cost a text-heavy page
    (the concern page has about 100 texts) a sixth of its rendering time. The
    environment always autoescapes, so no context is needed; a text with no
    variables is not formatted (no msgid holds a literal '%')."""
    text = Markup(i18n.gettext(message))
    return text % variables if variables else text


# The form helpers every template uses, as plain functions: as Jinja macros each
# call built a new template context, and the concern page makes about sixty.
def csrf(token: str) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % token


def err(f: dict[str, Any], name: str) -> Markup:
    """The error beside a field of one of a page's small forms. `f` is
    {"values": {...}, "errors": {...}} for the form that was posted, else {}."""
    error = f.get("errors", {}).get(name) if f else None
    if not error:
        return Markup("")
    return Markup('<p class="field-error">%s</p>') % _gettext("Feil: %(error)s", error=error)


def val(f: dict[str, Any], name: str, default: Any = "") -> Any:
    """The value the user typed into a field of a posted form, else `default`."""
    return f.get("values", {}).get(name, default) if f else default


def make_templates(development: bool = False) -> Jinja2Templates:
    """The one Jinja2 environment. In `development` (demo mode) edited templates
    and static files show at once; otherwise templates are compiled once and
    never checked for changes again, which every page would otherwise pay for."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=development,
    )
    # {% trans %} blocks ignore line breaks and indentation, as babel.cfg extracts them.
    env.policies["ext.i18n.trimmed"] = True
    templates = Jinja2Templates(env=env)
    # gettext follows the request's language (a context variable), so one
    # environment serves every language. The msgids are the Norwegian texts.
    templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    templates.env.globals.update(_=_gettext, gettext=_gettext)
    templates.env.globals["static_url"] = static_url if development else _static_url_once
    # The domain's words (marked with N_(), shown as {{ _(labels.STATUS[key]) }}).
    templates.env.globals["labels"] = labels
    # The shared macros are globals, so a block rendered alone (an htmx fragment) sees them.
    macros = templates.env.get_template("_macros.html").module
    for name in ("field", "select"):
        templates.env.globals[name] = getattr(macros, name)
    templates.env.globals.update(csrf=csrf, err=err, val=val)
    templates.env.filters.update(
        nodate=nodate, when=when, clock=clock,
        # A dict of marked (N_) words, translated: `roles | translated`.
        translated=i18n.translated,
        # Read models store ISO strings.
        isodate=lambda text: nodate(date.fromisoformat(text)) if text else "–",
        isowhen=lambda text: when(datetime.fromisoformat(text)) if text else "–",
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


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str = "content",
    status_code: int = 200,
) -> Response:
    """Render a page, or only its `fragment` block for a plain htmx request."""
    templates: Jinja2Templates = request.app.state.templates
    context = dict(context or {})
    context.setdefault("settings", request.app.state.settings)
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("me", getattr(request.state, "account", None))
    context.setdefault("csrf_token", csrf_token(request))
    context.setdefault("lang", i18n.current_language.get())
    context.setdefault("languages", i18n.LANGUAGES)
    if wants_fragment(request):
        tmpl = templates.get_template(template)
        ctx = tmpl.new_context({"request": request, **context})
        if fragment in tmpl.blocks:
            html = "".join(tmpl.blocks[fragment](ctx))
        else:  # a partial template (`_name.html`) is a fragment as a whole
            html = tmpl.render(ctx.get_all())
        response: Response = Response(html, status_code=status_code, media_type="text/html")
    else:
        response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    set_anonymous_csrf_cookie(request, response)  # before sign-in, forms need it too
    return response
