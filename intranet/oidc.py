"""Single sign-on through the municipality's OpenID provider (OpenID Connect).

The authorization code flow with PKCE, state and nonce. The ID token is checked
with Authlib (signature against the provider's JWKS, issuer, audience, expiry,
nonce); a token signed with a key we have not seen makes us fetch the JWKS
again (at most once every few seconds), so the provider can rotate its keys
without a restart here. Of the tokens only what the session needs is kept: the
user's id, and blind indexes of the provider's session id and subject so that
the provider's sign-out can end the session (back-channel logout).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable
from uuid import UUID

from authlib.jose import JsonWebKey, JsonWebToken, JWTClaims, jwt
from authlib.jose.errors import JoseError
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken

from events.storage.keystore import SYSTEM_KEY_ID, seal, unseal
from events.storage.sidestore import SideStore
from intranet.settings import OidcSettings

FLOW_SECONDS = 10 * 60  # the time a user has at the provider
LEEWAY = 60  # clock difference allowed between us and the provider
USERNAME_PREFIX = "oidc:"  # usernames of accounts made at single sign-on: never a local sign-in
# An unknown key makes us fetch the provider's keys again, but not more often
# than this: anyone can post a logout token naming a key that does not exist.
JWKS_REFRESH_SECONDS = 5
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_SECONDS = 10 * 60  # a logout token older than this is refused; its jti is kept as long
# Logout tokens are signed with the provider's key pair, never with the shared secret.
_LOGOUT_JWT = JsonWebToken(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"])


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
    session_id: str | None = None  # the provider's `sid`, which its logout token names


@dataclass(frozen=True)
class Logout:
    """A checked logout token: the provider's session id and/or subject, and the
    token's id (jti) and issue time, for the replay check."""

    session_id: str | None
    subject: str | None
    jti: str
    issued_at: float


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
        self._jwks_refreshed_at: float | None = None  # the last fetch an unknown key caused
        self._lock = threading.Lock()

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

    def _keys(self):
        with self._lock:
            if self._jwks is None:
                self._jwks = JsonWebKey.import_key_set(self._get_json(self.metadata["jwks_uri"]))
            return self._jwks

    def _refreshed_keys(self):
        """The provider's keys fetched again, unless they were within
        JWKS_REFRESH_SECONDS (then None)."""
        with self._lock:
            now = time.monotonic()
            if self._jwks_refreshed_at is not None and now - self._jwks_refreshed_at < JWKS_REFRESH_SECONDS:
                return None
            self._jwks_refreshed_at = now
            self._jwks = JsonWebKey.import_key_set(self._get_json(self.metadata["jwks_uri"]))
            return self._jwks

    def _key_for(self, header: dict, payload: Any):
        kid = header.get("kid")
        try:
            return self._keys().find_by_kid(kid)
        except ValueError:
            pass
        # An unknown key: the provider may have rotated its keys. Fetch them again.
        keys = self._refreshed_keys()
        try:
            if keys is not None:
                return keys.find_by_kid(kid)
        except ValueError:
            pass
        raise SignInRefused("unknown_key")

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

    def validate_logout(self, logout_token: str) -> Logout:
        """A back-channel logout token, checked as OpenID Connect Back-Channel
        Logout 1.0 §2.6 says: signature by the provider's key, issuer, audience,
        issue time, a jti, the logout event, a sid or sub, and no nonce (so an
        ID token cannot pass for one). Else SignInRefused."""
        try:
            claims = _LOGOUT_JWT.decode(
                logout_token, self._key_for, claims_cls=JWTClaims,
                claims_options={"iss": {"essential": True, "value": self.metadata["issuer"]},
                                "aud": {"essential": True, "value": self.settings.client_id},
                                "iat": {"essential": True}, "jti": {"essential": True}})
            claims.validate(now=int(self.clock()), leeway=LEEWAY)
        except SignInRefused:
            raise
        except (JoseError, ValueError):
            raise SignInRefused("invalid_logout_token") from None
        if claims.header.get("typ") not in (None, "logout+jwt", "application/logout+jwt"):
            raise SignInRefused("logout_token_type")
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(LOGOUT_EVENT), dict):
            raise SignInRefused("logout_event_missing")
        if "nonce" in claims:
            raise SignInRefused("logout_token_nonce")
        sid, sub = claims.get("sid"), claims.get("sub")
        if not (isinstance(sid, str) and sid) and not (isinstance(sub, str) and sub):
            raise SignInRefused("logout_token_names_no_one")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            raise SignInRefused("logout_token_jti")
        if not isinstance(claims["iat"], (int, float)) or claims["iat"] < self.clock() - LOGOUT_TOKEN_SECONDS:
            raise SignInRefused("logout_token_old")
        return Logout(sid if isinstance(sid, str) and sid else None, sub if isinstance(sub, str) and sub else None,
                      claims["jti"], float(claims["iat"]))

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
        sid = claims.get("sid")
        return Identity(str(claims["sub"]), str(claims.get("name") or ""), role, unit_name, service, second,
                        sid if isinstance(sid, str) and sid else None)


class FlowStore:
    """Sign-ins under way at the provider: state -> (nonce, PKCE verifier, browser),
    sealed under the system key and used once."""

    def __init__(self, store: SideStore, keystore, clock: Callable[[], float] = time.time):
        self.store = store
        self.keystore = keystore
        self.clock = clock
        self.table = store.table("oidc_flows")
        with store.datastore.transaction(commit=True) as c:
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


class LogoutReplays:
    """The ids (jti, hashed) of the logout tokens already used, kept as long as
    such a token is accepted: a token replayed is refused."""

    def __init__(self, store: SideStore, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock
        self.table = store.table("oidc_logout_tokens")
        with store.datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (jti_hash TEXT PRIMARY KEY, "
                      f"seen_at {store.double} NOT NULL)")

    def first_use(self, issuer: str, jti: str) -> bool:
        """Whether this is the token's first use (and remember it)."""
        now = self.clock()
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE seen_at < ?"),
                      (now - LOGOUT_TOKEN_SECONDS - 2 * LEEWAY,))
            c.execute(self.store.sql(f"INSERT INTO {self.table} (jti_hash, seen_at) VALUES (?, ?) "
                                     "ON CONFLICT (jti_hash) DO NOTHING RETURNING jti_hash"),
                      (_hash(issuer + "\n" + jti), now))
            return c.fetchone() is not None


WAITING, APPROVED, REJECTED = "waiting", "approved", "rejected"


class PendingStore:
    """First sign-ins whose claims map to no role, for an admin to decide: the
    subject and name sealed under the system key, and the decision (waiting,
    approved, rejected). A rejected subject stays refused until an admin
    approves it after all."""

    def __init__(self, store: SideStore, keystore, clock: Callable[[], float] = time.time):
        self.store = store
        self.keystore = keystore
        self.clock = clock
        self.table = store.table("oidc_pending")
        with store.datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (id TEXT PRIMARY KEY, "
                      f"sealed {store.blob} NOT NULL, asked_at {store.double} NOT NULL)")
            store.add_column(c, self.table, "status", f"TEXT NOT NULL DEFAULT '{WAITING}'")
            store.add_column(c, self.table, "decided_at", store.double)

    def ask(self, pending_id: str, identity: Identity) -> None:
        """Record the request (once per subject; `pending_id` is the subject's blind index)."""
        sealed = seal(self.keystore, SYSTEM_KEY_ID,
                      json.dumps({"subject": identity.subject, "name": identity.name,
                                  "unit_name": identity.unit_name}), f"oidc-pending:{pending_id}")
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"INSERT INTO {self.table} (id, sealed, asked_at, status) VALUES (?, ?, ?, ?) "
                                     "ON CONFLICT (id) DO NOTHING"), (pending_id, sealed, self.clock(), WAITING))

    def all(self) -> list[dict[str, Any]]:
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT id, sealed, asked_at, status, decided_at FROM {self.table} "
                                     "ORDER BY asked_at"))
            rows = c.fetchall()
        requests = []
        for row in rows:
            text = unseal(self.keystore, SYSTEM_KEY_ID, row["sealed"], f"oidc-pending:{row['id']}")
            if text:
                requests.append({"id": row["id"], "asked_at": row["asked_at"], "status": row["status"],
                                 "decided_at": row["decided_at"], **json.loads(text)})
        return requests

    def get(self, pending_id: str) -> dict[str, Any] | None:
        return next((p for p in self.all() if p["id"] == pending_id), None)

    def status(self, pending_id: str) -> str | None:
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT status FROM {self.table} WHERE id = ?"), (pending_id,))
            row = c.fetchone()
        return row["status"] if row else None

    def decide(self, pending_id: str, status: str) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"UPDATE {self.table} SET status = ?, decided_at = ? WHERE id = ?"),
                      (status, self.clock(), pending_id))


def unit_id_named(units: list[dict[str, Any]], name: str | None) -> UUID | None:
    for unit in units:
        if name and unit["name"] == name and not unit["closed"]:
            return UUID(unit["id"])
    return None
