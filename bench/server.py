"""The benchmark's server: the product app, unchanged, plus one bare page.

`create()` wraps `intranet.app.create_app()` in a benchmark-only Starlette app
with one extra route, `/bench/bare?bytes=N`: a Jinja2 page of about N bytes,
rendered by the same Jinja2 environment, on the same event loop, with no
session, no store and no audit. The product app is mounted under it; its own
lifespan (domain application, projection runner) runs as usual.

Run: python -m uvicorn bench.server:create --factory --host 127.0.0.1 --port 8123
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import AsyncIterator

from jinja2 import Template
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

from events import clock
from intranet import i18n
from intranet.app import create_app

HEAD = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><header><p>{{ municipality }}</p><nav><a href="/">Forside</a> <a href="/bekymringer">Bekymringer</a></nav></header>
<main><h1>{{ title }}</h1><section><h2>Logg</h2><table><thead><tr><th>Dato</th><th>Observasjon</th><th>Av</th></tr></thead><tbody>
"""
ROW = "{% for r in rows %}<tr><td>{{ r.day.strftime('%d.%m.%Y') }}</td><td>{{ r.text }}</td><td>{{ r.by }}</td></tr>\n{% endfor %}"
TAIL = "</tbody></table></section></main><footer><p>{{ footer }}</p></footer></body></html>\n"
ROW_TEXT = "Kom uten matpakke og var sulten tre dager på rad & sa «det er ikke mat hjemme»."
ROW_BYTES = 160  # about one rendered row


def bare_template(env, size: int) -> tuple[Template, list[dict]]:
    today = clock.today()
    n = max(1, (size - len(HEAD) - len(TAIL)) // ROW_BYTES)
    rows = [{"day": today - timedelta(days=i), "text": ROW_TEXT, "by": "Ingrid Solberg"} for i in range(n)]
    return env.from_string(HEAD + ROW + TAIL), rows


def create() -> Starlette:
    product = create_app()
    env = product.state.templates[i18n.DEFAULT].env  # the same environment (autoescape on)
    cache: dict[int, tuple[Template, list[dict]]] = {}

    async def bare(request: Request) -> HTMLResponse:
        text = request.query_params.get("bytes", "20000")
        size = min(int(text), 1_000_000) if text.isdigit() else 20000
        if size not in cache:
            cache[size] = bare_template(env, size)
        template, rows = cache[size]
        html = template.render(title="Bekymring", municipality="Fjordvik kommune", rows=rows,
                               footer="Fra bekymring til handling")
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with product.router.lifespan_context(product):
            yield

    app = Starlette(routes=[Route("/bench/bare", bare), Mount("/", app=product)], lifespan=lifespan)
    app.state.product = product
    return app
