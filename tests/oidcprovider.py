"""A real OpenID provider for the tests: panva's oidc-provider (tests/oidc/,
installed there by `npm ci`), run by Node on loopback.

Without Node or the installed package the tests that need it skip, unless
BEKYMRING_REQUIRE_ALL=1 (CI), where they fail.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin

import httpx2 as httpx
import pytest

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "bekymring-test"
CLIENT_SECRET = "test-client-secret-not-used-elsewhere"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_node() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "no node on PATH (apt-get install nodejs npm)"
    elif not (HERE / "node_modules" / "oidc-provider").is_dir():
        problem = "oidc-provider is not installed (cd tests/oidc && npm ci)"
    if problem:
        if os.environ.get("BEKYMRING_REQUIRE_ALL") == "1":
            pytest.fail(problem + " (required: BEKYMRING_REQUIRE_ALL=1)")
        pytest.skip(problem)
    return node


class OidcProvider:
    """The provider process. `accounts`: sub -> claims (name, groups, unit, amr,
    acr, active); written to a file the provider reads at each sign-in."""

    def __init__(self, workdir: Path, app_urls: list[str], accounts: dict[str, dict],
                 backchannel_logout_uri: str | None = None):
        """`backchannel_logout_uri`: where a sign-out at the provider is told to
        the client (the app's, or a `LogoutRecorder`'s)."""
        self.node = require_node()
        self.workdir = workdir
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.config_file = workdir / "oidc-config.json"
        self.config = {
            "client": {
                "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [url + "/logg-inn/oidc/svar" for url in app_urls],
                "post_logout_redirect_uris": [url + "/logg-inn" for url in app_urls],
                **({"backchannel_logout_uri": backchannel_logout_uri} if backchannel_logout_uri else {}),
            },
            "accounts": accounts,
        }
        self.write()
        self.process = None
        self.start()

    def write(self) -> None:
        self.config_file.write_text(json.dumps(self.config))

    def set_account(self, sub: str, **claims) -> None:
        self.config["accounts"].setdefault(sub, {}).update(claims)
        self.write()

    def start(self) -> None:
        env = {**os.environ, "OIDC_PORT": str(self.port), "OIDC_CONFIG": str(self.config_file)}
        self.log = open(self.workdir / "oidc-provider.log", "a")
        self.process = subprocess.Popen([self.node, str(HERE / "provider.js")], cwd=HERE, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.issuer + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the provider did not start: " + (self.workdir / "oidc-provider.log").read_text()[-2000:])

    def restart(self) -> None:
        """A new process makes a new signing key: the provider's keys rotate."""
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.process.kill()
            self.process = None
            self.log.close()

    def sign(self, payload: dict, **header) -> str:
        """A JWT signed with the provider's current key (its test-only endpoint)."""
        response = httpx.post(self.issuer + "/test/sign", json={"header": header, "payload": payload})
        response.raise_for_status()
        return response.text

    def settings(self, **extra: str) -> dict[str, str]:
        """The app's variables for this provider, with the test claim mapping."""
        return {
            "BEKYMRING_OIDC_ISSUER": self.issuer,
            "BEKYMRING_OIDC_CLIENT_ID": CLIENT_ID,
            "BEKYMRING_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "BEKYMRING_OIDC_SCOPES": "openid profile bekymring",
            "BEKYMRING_OIDC_ROLE_CLAIM": "groups",
            "BEKYMRING_OIDC_ROLES": "styrere=unit_leader,ansatte=staff,personvern=privacy_officer",
            "BEKYMRING_OIDC_UNIT_CLAIM": "unit",
            "BEKYMRING_OIDC_UNITS": "solsikken=Solsikken barnehage,fjordvikskole=Fjordvik skole",
            **extra,
        }


def sign_in_at_provider(start_url: str, login: str, browser: httpx.Client, until: str) -> str:
    """Follow the provider's pages as a browser would, signing in as `login`;
    returns the first URL that leads back to `until` (the app), or the last
    provider response's URL with its status if the provider stops there."""
    url = start_url
    for _ in range(10):
        response = browser.get(url)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["location"])
            if url.startswith(until):
                return url
            continue
        form = re.search(r'action="([^"]+/login)"', response.text)
        assert form, f"no sign-in form at the provider: {response.status_code} {response.text[:300]}"
        posted = browser.post(urljoin(url, form.group(1)), data={"login": login})
        if posted.status_code not in (302, 303):
            return f"refused:{posted.status_code}"
        url = urljoin(url, posted.headers["location"])
        if url.startswith(until):
            return url
    raise AssertionError("the provider never sent the browser back")


def sign_out_at_provider(issuer: str, browser: httpx.Client) -> None:
    """Sign out at the provider's own page, as a user would (the provider asks
    to confirm): it then tells every client of the session (back-channel logout)."""
    page = browser.get(issuer + "/session/end")
    assert page.status_code == 200, page.text[:300]
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    action = re.search(r'action="([^"]+)"', page.text)
    assert xsrf and action, page.text[:500]
    done = browser.post(urljoin(issuer + "/session/end", action.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"})
    assert done.status_code in (302, 303), done.text[:300]


class LogoutRecorder:
    """A back-channel logout URI on loopback that keeps what the provider posts,
    for tests whose app has no address of its own (the in-process test client)."""

    def __init__(self):
        tokens = self.tokens = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                tokens.append(parse_qs(self.rfile.read(length).decode()).get("logout_token", [""])[0])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
