"""Single sign-on through the municipality's OpenID provider (OpenID Connect).

The authorization code flow with PKCE, state and nonce. The ID token is checked
with Authlib (signature against the provider's JWKS, issuer, audience, expiry,
nonce); a token signed with a key we have not seen makes us fetch the JWKS
again once, so the provider can rotate its keys. Of the tokens only what the
session needs is kept: the user's id, and nothing of the tokens themselves.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable
from uuid import UUID

from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import JoseError
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken

from events.storage.keystore import SYSTEM_KEY_ID, seal, unseal
from events.storage.sidestore import SideStore
from intranet.settings import OidcSettings

FLOW_SECONDS = 10 * 60  # the time a user has at the provider
LEEWAY = 60  # clock difference allowed between us and the provider
USERNAME_PREFIX = "oidc:"  # usernames of accounts made at single sign-on: never a local sign-in


class SignInRefused(Exception):
    """The provider's answer cannot sign anyone in; `reason` is for the audit."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    """What the session needs from an ID token."""

    subject: str
    name: str
    role: str | None  # None: the claims map to no role, an admin must decide
    unit_name: str | None
    service: str | None
    second_factor: bool  # the provider says it checked a second factor


def username_for(subject: str) -> str:
    return USERNAME_PREFIX + subject


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class OidcClient:
    def __init__(self, settings: OidcSettings, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.clock = clock
        self._metadata: dict[str, Any] | None = None
        self._jwks = None

    # -- the provider -------------------------------------------------------------
    def _get_json(self, url: str) -> dict[str, Any]:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    @property
    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            metadata = self._get_json(self.settings.issuer + "/.well-known/openid-configuration")
            if metadata.get("issuer", "").rstrip("/") != self.settings.issuer:
                raise SignInRefused("issuer_mismatch")
            self._metadata = metadata
        return self._metadata

    def _keys(self, refresh: bool = False):
        if self._jwks is None or refresh:
            self._jwks = JsonWebKey.import_key_set(self._get_json(self.metadata["jwks_uri"]))
        return self._jwks

    def _key_for(self, header: dict, payload: Any):
        kid = header.get("kid")
        try:
            return self._keys().find_by_kid(kid)
        except ValueError:
            # An unknown key: the provider rotated its keys. Fetch them once more.
            try:
                return self._keys(refresh=True).find_by_kid(kid)
            except ValueError:
                raise SignInRefused("unknown_key") from None

    # -- the flow -----------------------------------------------------------------
    def authorization_url(self, redirect_uri: str, state: str, nonce: str, verifier: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.settings.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return self.metadata["authorization_endpoint"] + "?" + urllib.parse.urlencode(query)

    def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout at the provider, or None if it offers none."""
        endpoint = self.metadata.get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.settings.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        return endpoint + "?" + urllib.parse.urlencode(query)

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> str:
        """The ID token for an authorization code (the client authenticates with its secret)."""
        form = urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier, "client_id": self.settings.client_id,
            "client_secret": str(self.settings.client_secret),
        }).encode()
        request = urllib.request.Request(self.metadata["token_endpoint"], data=form, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                                  "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                tokens = json.loads(response.read())
        except urllib.error.HTTPError:
            raise SignInRefused("code_refused") from None
        if "id_token" not in tokens:
            raise SignInRefused("no_id_token")
        return tokens["id_token"]

    def validate(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims, checked; else SignInRefused."""
        try:
            claims = jwt.decode(
                id_token, self._key_for,
                claims_cls=CodeIDToken,
                claims_options={"iss": {"essential": True, "value": self.metadata["issuer"]}},
                claims_params={"nonce": nonce, "client_id": self.settings.client_id},
            )
            claims.validate(now=int(self.clock()), leeway=LEEWAY)
        except SignInRefused:
            raise
        except JoseError as e:
            raise SignInRefused(getattr(e, "error", "invalid_token")) from None
        return dict(claims)

    def identity(self, claims: dict[str, Any]) -> Identity:
        """The user's role and unit by the configured claim mapping."""
        s = self.settings
        values = claims.get(s.role_claim) or []
        values = [values] if isinstance(values, str) else list(values)
        role = service = None
        for value in values:
            if value in s.roles:
                role, _, service = s.roles[value].partition("/")
                service = service or None
                break
        unit_value = claims.get(s.unit_claim)
        unit_name = s.units.get(unit_value) if isinstance(unit_value, str) else None
        amr = claims.get("amr") or []
        second = bool(s.second_factor_amr & set(amr if isinstance(amr, list) else [amr])) or (
            claims.get("acr") in s.second_factor_acr)
        return Identity(str(claims["sub"]), str(claims.get("name") or ""), role, unit_name, service, second)


class FlowStore:
    """Sign-ins under way at the provider: state -> (nonce, PKCE verifier, browser),
    sealed under the system key and used once."""

    def __init__(self, store: SideStore, keystore, clock: Callable[[], float] = time.time):
        self.store = store
        self.keystore = keystore
        self.clock = clock
        self.table = store.table("oidc_flows")
        with store.creating() as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (state_hash TEXT PRIMARY KEY, "
                      f"sealed {store.blob} NOT NULL, created_at {store.double} NOT NULL)")

    def start(self, browser: str) -> tuple[str, str, str]:
        """A new flow for the browser holding `browser`: (state, nonce, verifier)."""
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        sealed = seal(self.keystore, SYSTEM_KEY_ID,
                      json.dumps({"nonce": nonce, "verifier": verifier, "browser": _hash(browser)}),
                      "oidc-flow")
        now = self.clock()
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE created_at < ?"), (now - FLOW_SECONDS,))
            c.execute(self.store.sql(f"INSERT INTO {self.table} (state_hash, sealed, created_at) VALUES (?, ?, ?)"),
                      (_hash(state), sealed, now))
        return state, nonce, verifier

    def finish(self, state: str, browser: str) -> tuple[str, str]:
        """(nonce, verifier) of the flow, which ends here; SignInRefused if it is
        unknown, too old, or was started in another browser."""
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"SELECT sealed, created_at FROM {self.table} WHERE state_hash = ?"),
                      (_hash(state),))
            row = c.fetchone()
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE state_hash = ?"), (_hash(state),))
        if row is None or self.clock() - row["created_at"] > FLOW_SECONDS:
            raise SignInRefused("state_unknown")
        flow = json.loads(unseal(self.keystore, SYSTEM_KEY_ID, row["sealed"], "oidc-flow") or "{}")
        if not secrets.compare_digest(flow.get("browser", ""), _hash(browser)):
            raise SignInRefused("other_browser")
        return flow["nonce"], flow["verifier"]


class PendingStore:
    """First sign-ins whose claims map to no role, waiting for an admin: the
    subject and name sealed under the system key."""

    def __init__(self, store: SideStore, keystore):
        self.store = store
        self.keystore = keystore
        self.table = store.table("oidc_pending")
        with store.creating() as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (id TEXT PRIMARY KEY, "
                      f"sealed {store.blob} NOT NULL, asked_at {store.double} NOT NULL)")

    def ask(self, pending_id: str, identity: Identity) -> None:
        """Record the request (once per subject; `pending_id` is the subject's blind index)."""
        sealed = seal(self.keystore, SYSTEM_KEY_ID,
                      json.dumps({"subject": identity.subject, "name": identity.name,
                                  "unit_name": identity.unit_name}), f"oidc-pending:{pending_id}")
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"INSERT INTO {self.table} (id, sealed, asked_at) VALUES (?, ?, ?) "
                                     "ON CONFLICT (id) DO NOTHING"), (pending_id, sealed, time.time()))

    def all(self) -> list[dict[str, Any]]:
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT id, sealed, asked_at FROM {self.table} ORDER BY asked_at"))
            rows = c.fetchall()
        waiting = []
        for row in rows:
            text = unseal(self.keystore, SYSTEM_KEY_ID, row["sealed"], f"oidc-pending:{row['id']}")
            if text:
                waiting.append({"id": row["id"], "asked_at": row["asked_at"], **json.loads(text)})
        return waiting

    def get(self, pending_id: str) -> dict[str, Any] | None:
        return next((p for p in self.all() if p["id"] == pending_id), None)

    def remove(self, pending_id: str) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE id = ?"), (pending_id,))


def unit_id_named(units: list[dict[str, Any]], name: str | None) -> UUID | None:
    for unit in units:
        if name and unit["name"] == name and not unit["closed"]:
            return UUID(unit["id"])
    return None
