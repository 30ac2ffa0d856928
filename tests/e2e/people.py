"""Signing in as the demo's people, as a person would."""

from __future__ import annotations

from intranet import demo, demo_data

_next_code: dict[tuple[str, str], int] = {}  # per server: each demo starts afresh


def sign_in(page, server, username: str) -> None:
    page.goto(server.url + "/logg-inn")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    if "/logg-inn/kode" in page.url:
        # The demo's privileged users: one recovery code per sign-in.
        index = _next_code.get((server.url, username), 0)
        _next_code[(server.url, username)] = index + 1
        page.get_by_label("Kode fra autentiseringsappen").fill(demo.DEMO_RECOVERY_CODES[index])
        page.get_by_role("button", name="Fortsett").click()
    page.wait_for_url(server.url + "/")


def name(username: str) -> str:
    return next(u["name"] for u in demo_data.USERS if u["username"] == username)
