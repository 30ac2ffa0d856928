"""The app factory: `create_app()` builds the Starlette app; nothing runs at import."""

from __future__ import annotations

import contextlib
import os
from typing import AsyncIterator

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from events.storage.private_files import PRIVATE_UMASK
from intranet import (
    account, admin, auth, binder, break_glass, calendar, calendar_feed, case_bank, children, concerns, consents, front_page, internal_control, landing, leaders, meetings,
    pages, passkeys, privacy, programme, referrals, retention, series, single_sign_on, transfers, collaborations, notifications,
    wheel_items,
)
from intranet.drafts import DraftStore
from intranet.form_replays import FormReplays
from intranet.grants import GrantStore
from intranet.names import DisplayNames
from intranet.errors import StoreBusyMiddleware, exception_handlers
from intranet.security import SecurityHeadersMiddleware
from intranet.sessions import SessionStore
from intranet.throttle import LoginThrottle
from intranet.paths import static_dir
from intranet.settings import Settings
from intranet.passkeys import ChallengeStore
from intranet.oidc import FlowStore, LogoutReplays, OidcClient, PendingStore, origin_of
from intranet.staticfiles import CachedStaticFiles, VerifierFiles
from intranet.templating import make_templates
from projections.live import ProjectionRunner


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    os.umask(PRIVATE_UMASK)  # under any ASGI server: files the app creates are its own

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One domain application and one projection runner per process.
        domain = settings.open_domain(serving=True)
        runner = ProjectionRunner(domain, config=settings.read_models).start()
        app.state.domain = domain
        app.state.projections = runner
        app.state.names = DisplayNames(domain)
        web_store = domain.side_store("sessions")
        app.state.sessions = SessionStore(web_store)
        app.state.throttle = LoginThrottle(web_store)
        app.state.drafts = DraftStore(web_store, domain.keystore)
        app.state.grants = GrantStore(web_store)
        app.state.form_replays = FormReplays(web_store)
        app.state.calendar_feeds = calendar_feed.FeedTokens(web_store, domain.blind_index)
        app.state.oidc = OidcClient(settings.oidc) if settings.oidc else None
        app.state.oidc_flows = FlowStore(web_store, domain.keystore)
        app.state.oidc_pending = PendingStore(web_store, domain.keystore)
        app.state.oidc_logouts = LogoutReplays(web_store)
        app.state.webauthn_challenges = ChallengeStore(web_store)
        # Starlette runs blocking work in anyio's threads: bound them (see Settings.threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        try:
            yield
        finally:
            runner.stop()
            domain.close()

    routes = landing.with_landings([
        *front_page.routes,
        *pages.routes,
        *auth.routes,
        *account.routes,
        *children.routes,
        *referrals.routes,
        *concerns.routes,
        *consents.routes,
        *admin.routes,
        *privacy.routes,
        *retention.routes,
        *internal_control.routes,
        *case_bank.routes,
        *series.routes,  # before the meeting's /ressursteam/{meeting_id}/{action}
        *programme.routes,
        *meetings.routes,
        *leaders.routes,
        *calendar.routes,
        *wheel_items.routes,
        *calendar_feed.routes,
        *binder.routes,
        *transfers.routes,
        *collaborations.routes,
        *notifications.routes,
        *break_glass.routes,
        # Offered only where configured: otherwise the URLs do not exist.
        *(single_sign_on.routes if settings.oidc else []),
        *(passkeys.routes if settings.webauthn_origin else []),
    ]) + [
        Mount("/static/verify", app=VerifierFiles(static_dir() / "verify"), name="verifier"),
        Mount("/static", app=CachedStaticFiles(directory=static_dir()), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies,
                   form_targets=(origin_of(settings.oidc.issuer),) if settings.oidc else ()),
        Middleware(StoreBusyMiddleware),
        Middleware(auth.AuthMiddleware),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=exception_handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    calendar_feed.hide_feed_tokens_in_logs()  # the feed's address is its secret
    app.state.templates = make_templates(development=settings.demo, municipality=settings.municipality,
                                         demo=settings.demo)
    return app
