"""Signing in as the demo's people, and filing a concern, as a person would."""

from __future__ import annotations

import re

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


def file_concern(page, server, text: str, category: str = "Omsorgssvikt", worry: str = "2 – Litt bekymret") -> str:
    """A new concern about the first child of the signed-in user's unit, through
    the form; its URL."""
    page.goto(server.url + "/bekymringer/ny")
    page.get_by_label("Barn i enheten").select_option(index=1)
    page.get_by_label("Hva har du sett eller hørt?").fill(text)
    page.get_by_label(category).check()
    page.get_by_label(worry).check()
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.wait_for_url(re.compile(r"/bekymringer/[0-9a-f-]{36}$"))
    return page.url
