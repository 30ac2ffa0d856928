"""The app factory: `create_app()` builds the Starlette app; nothing runs at import."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Mount

from events.application import Bekymring
from intranet import pages
from intranet.paths import static_dir
from intranet.settings import Settings
from intranet.staticfiles import CachedStaticFiles
from intranet.templating import make_templates
from projections.runner import ProjectionRunner


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One domain application and one projection runner per process.
        domain = Bekymring(env=settings.domain_env)
        runner = ProjectionRunner(domain).start()
        app.state.domain = domain
        app.state.projections = runner
        try:
            yield
        finally:
            runner.stop()
            domain.close()

    routes = [
        *pages.routes,
        Mount("/static", app=CachedStaticFiles(directory=static_dir()), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.templates = make_templates()
    return app
