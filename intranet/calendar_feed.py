"""A calendar feed per user (iCalendar, RFC 5545): the wheels she has and the
resource-team meetings she attends, for her calendar app.

A calendar app cannot sign in, so the feed's address carries a secret: a random
token, shown once. The table keeps only a keyed hash of it (an HMAC under the
key store's index key), so a copy of the database cannot read a feed. The user
revokes it, or replaces it with a new address, under /konto/kalender; a revoked
or unknown token answers 404, and guessing is slowed down per address as
sign-in is (intranet/throttle.py). The server's access log never prints the
token (`FeedPathFilter`).

Nothing in a feed is about a child: a meeting is "Ressursteam" and its kind,
never a case; an item's title and place are leaders' text about the year, and
go through the name redactor all the same.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from datetime import date, datetime, timedelta
from typing import Any, Callable
from uuid import UUID

from icalendar import Calendar, Event
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.policy import Principal, Target
from events.redaction import redact
from events.storage.sidestore import SideStore
from intranet import i18n
from intranet.auth import client_key, redirect
from intranet.calendar import ITEM_KINDS
from intranet.forms import read_form
from intranet.guard import require
from intranet.i18n import _
from intranet.meetings import KIND_NAMES
from intranet.templating import render
from intranet.wheel_sources import occurrences, own_wheels

FEED_PATH = re.compile(r"/kalender/[^/\s?\"]+")
PRODID = "-//Bekymring//Årshjul//NO"
MEETING_HOURS = 2  # a meeting's length in the feed: the meetings have a start only


class FeedTokens:
    """Each user's one feed address, as a keyed hash of its token."""

    def __init__(self, store: SideStore, keyed_hash: Callable[[str], str], clock: Callable[[], float] = time.time):
        self.store = store
        self.keyed_hash = keyed_hash
        self.clock = clock
        self.table = store.table("calendar_feeds")
        with store.creating() as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (user_id TEXT PRIMARY KEY, "
                      f"token_hash TEXT NOT NULL UNIQUE, created_at {store.double} NOT NULL)")

    def _hash(self, token: str) -> str:
        return self.keyed_hash("calendar-feed:" + token)

    def issue(self, user_id: UUID) -> str:
        """A new address for the user's feed; any earlier one stops working."""
        token = secrets.token_hex(32)  # lower-case hex: the keyed hash folds case, hex has none to fold
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE user_id = ?"), (str(user_id),))
            c.execute(self.store.sql(f"INSERT INTO {self.table} (user_id, token_hash, created_at) VALUES (?, ?, ?)"),
                      (str(user_id), self._hash(token), self.clock()))
        return token

    def revoke(self, user_id: UUID) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE user_id = ?"), (str(user_id),))

    def user_for(self, token: str) -> UUID | None:
        if not re.fullmatch(r"[0-9a-f]{64}", token):
            return None
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT user_id FROM {self.table} WHERE token_hash = ?"), (self._hash(token),))
            row = c.fetchone()
        return UUID(row["user_id"]) if row else None

    def created_at(self, user_id: UUID) -> float | None:
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT created_at FROM {self.table} WHERE user_id = ?"), (str(user_id),))
            row = c.fetchone()
        return row["created_at"] if row else None


class FeedPathFilter(logging.Filter):
    """Hides a feed's token in the lines a logger writes (uvicorn's access log
    passes the path as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(FEED_PATH.sub("/kalender/[skjult]", a) if isinstance(a, str) else a
                                for a in record.args)
        if isinstance(record.msg, str) and "/kalender/" in record.msg:
            record.msg = FEED_PATH.sub("/kalender/[skjult]", record.msg)
        return True


def hide_feed_tokens_in_logs() -> None:
    """Install the filter on the loggers that print request paths (once)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, FeedPathFilter) for f in logger.filters):
            logger.addFilter(FeedPathFilter())


# -- the account page ---------------------------------------------------------------------------
async def feed_settings(request: Request) -> Response:
    """Make, replace or revoke the address of one's calendar feed."""
    account = request.state.account
    require(request, "account.manage", Target(owner_id=account.id))
    feeds = request.app.state.calendar_feeds
    address = None
    if request.method == "POST":
        form = await read_form(request)
        if form.get("action") == "revoke":
            await run_in_threadpool(feeds.revoke, account.id)
            return redirect(request, "/konto/kalender?stoppet=1")
        token = await run_in_threadpool(feeds.issue, account.id)
        # Shown this once, in this response only: the table keeps only its hash.
        address = str(request.url_for("calendar_feed", token=token))
    created = await run_in_threadpool(feeds.created_at, account.id)
    response = render(request, "account/calendar.html", {
        "address": address, "created": datetime.fromtimestamp(created, clock.OSLO) if created else None,
        "stopped": request.query_params.get("stoppet") == "1", "active": "account"})
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the feed ---------------------------------------------------------------------------------
async def feed(request: Request) -> Response:
    """The user's calendar (not signed in: the address is the secret)."""
    state = request.app.state
    token = request.path_params["token"]
    c_key = client_key(request)
    pair = "feed:" + c_key
    refusal = await run_in_threadpool(state.throttle.refusal, pair, c_key)
    if refusal is not None:
        return Response(status_code=429, headers={"Retry-After": str(refusal.seconds)})
    user_id = await run_in_threadpool(state.calendar_feeds.user_for, token)
    account = await run_in_threadpool(state.domain.signed_in_user, user_id) if user_id else None
    if account is None or not account.active:
        await run_in_threadpool(state.throttle.failed, pair, c_key)
        raise HTTPException(404)
    user = Principal(account.id, account.role, account.unit_id, account.service, account.active)
    language = i18n.current_language.set(i18n.choose(account.language))
    try:
        body = await run_in_threadpool(calendar_of, state, user, str(request.base_url).rstrip("/"))
    finally:
        i18n.current_language.reset(language)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


def attended_meetings(state: Any, user: Principal, since: date) -> list[dict]:
    """The resource-team meetings the user attends (events/policy.py `_attends_meeting`):
    those she leads, her unit's as its leader, her service's as a member of the team."""
    view = state.projections["meetings"].view
    rows = {r["id"]: r for r in view.led_by(user.id)}
    rows.update({r["id"]: r for r in view.invited(user.id)})
    if user.role == "unit_leader" and user.unit_id is not None:
        rows.update({r["id"]: r for r in view.for_unit(user.unit_id)})
    if user.role == "resource_team" and user.service:
        rows.update({r["id"]: r for r in view.for_service(user.service)})
    return sorted((r for r in rows.values() if r["held_on"] >= since.isoformat()), key=lambda r: r["held_on"])


def _clean(text: str) -> str:
    """A leader's text, with anything that reads as a person's name replaced."""
    return redact(text, []).text if text else ""


def calendar_of(state: Any, user: Principal, base_url: str) -> bytes:
    """The feed: this year's and next year's wheel dates, and the meetings from a year back."""
    today = clock.today()
    stamp = clock.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Årshjul og møter"))
    for year in (today.year, today.year + 1):
        for o in occurrences(state, own_wheels(user), year):
            event = Event()
            event.add("uid", f"{o.uid}-{year}@bekymring")
            event.add("dtstamp", stamp)
            event.add("summary", _clean(o.title))
            if o.day is None:  # the whole month
                first = date(year, o.month, 1)
                event.add("dtstart", first)
                event.add("dtend", date(year + (o.month == 12), o.month % 12 + 1, 1))
            elif o.starts_at:
                hour, minute = map(int, o.starts_at.split(":"))
                event.add("dtstart", datetime(year, o.month, o.day, hour, minute, tzinfo=clock.OSLO))
                event.add("duration", timedelta(hours=1))
            else:
                event.add("dtstart", o.on)
                event.add("dtend", o.on + timedelta(days=1))
            if o.place:
                event.add("location", _clean(o.place))
            if o.kind in ITEM_KINDS:
                event.add("categories", [_(ITEM_KINDS[o.kind])])
            if o.link:
                event.add("url", base_url + o.link)
            cal.add_component(event)
    for m in attended_meetings(state, user, today - timedelta(days=365)):
        event = Event()
        event.add("uid", f"meeting-{m['id']}@bekymring")
        event.add("dtstamp", stamp)
        # Never a case: the team and the kind of meeting only.
        event.add("summary", _("Ressursteam (%(kind)s)") % {"kind": _(KIND_NAMES[m["kind"]]).lower()}
                  if m["kind"] in ("spring", "autumn", "extra") else _(KIND_NAMES[m["kind"]]))
        held = date.fromisoformat(m["held_on"])
        if m["starts_at"]:
            hour, minute = map(int, m["starts_at"].split(":"))
            start = datetime(held.year, held.month, held.day, hour, minute, tzinfo=clock.OSLO)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=MEETING_HOURS))
        else:
            event.add("dtstart", held)
            event.add("dtend", held + timedelta(days=1))
        event.add("url", f"{base_url}/ressursteam/{m['id']}")
        if m["cancelled_on"]:  # kept in the feed, so a calendar app that had it marks it cancelled
            event.add("status", "CANCELLED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


routes = [
    Route("/konto/kalender", feed_settings, methods=["GET", "POST"], name="account_calendar"),
    Route("/kalender/{token}.ics", feed, name="calendar_feed"),
]
