"""Settings, read once from the environment (or given by a test).

A bad value stops the app, the CLI and the bench at startup, naming the
variable. Secrets are held as `Secret` (shown as stars) and unwrapped only
where the domain application is opened (`Settings.open_domain`)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from starlette.config import Config
from starlette.datastructures import Secret

from events.retention import DEFAULT_SCHEDULE, KINDS, Period, Schedule
from events.statistics import DEFAULT_DELAY_DAYS
from projections.config import DEFAULTS, ReadModelConfig

if TYPE_CHECKING:
    from events.application import Bekymring

# The environment keys the domain application reads (eventsourcing's own and ours).
DOMAIN_KEYS = (
    "PERSISTENCE_MODULE",
    "SQLITE_DBNAME",
    "POSTGRES_DBNAME",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_SCHEMA",
    "POSTGRES_POOL_SIZE",
    "POSTGRES_MAX_OVERFLOW",
    "BEKYMRING_DATA_DIR",
    "BEKYMRING_DEMO",
    "BEKYMRING_KEK",
    "BEKYMRING_KEK_FILE",
    "BEKYMRING_DB_LOCK_TIMEOUT_MS",
    "BEKYMRING_DB_STATEMENT_TIMEOUT_MS",
    "POSTGRES_LOCK_TIMEOUT",
)
SECRET_KEYS = ("BEKYMRING_KEK", "POSTGRES_PASSWORD")



class SettingsError(ValueError):
    """A variable with a value the app cannot use."""


SQLITE_THREADS = 2
POSTGRES_THREADS = 40  # anyio's own default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    demo: bool
    municipality: str
    secure_cookies: bool = True
    domain_env: dict[str, str | Secret] = field(default_factory=dict)  # secrets as Secret
    worker_threads: int | None = None  # None: by store, see `threads`
    read_models: ReadModelConfig = DEFAULTS
    health_token: Secret | None = None  # shows /health's details to a monitor that sends it
    trusted_proxies: tuple[str, ...] = ()  # addresses whose X-Forwarded-For is believed
    local_accounts: bool = True  # username and password sign-in; off where all staff use single sign-on
    oidc: OidcSettings | None = None  # single sign-on through the municipality's OpenID provider
    webauthn_origin: str | None = None  # the intranet's origin as browsers see it; None: no passkeys
    webauthn_rp_id: str | None = None  # the passkeys' relying party id (the origin's host by default)
    release_after_days: int = DEFAULT_DELAY_DAYS  # days after a period ends before its statistics are published
    smtp: SmtpSettings | None = None  # the municipality's SMTP server for the e-mail digest; None: no e-mail
    retention: Schedule = DEFAULT_SCHEDULE  # how long each kind of record is kept after it ended

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        config = _checked(Config(environ=environ))
        data_dir = Path(config("BEKYMRING_DATA_DIR", default="data"))
        demo = config("BEKYMRING_DEMO", cast=bool, default=False)
        domain_env: dict[str, str | Secret] = {
            k: Secret(environ[k]) if k in SECRET_KEYS else environ[k] for k in DOMAIN_KEYS if k in environ}
        domain_env["BEKYMRING_DATA_DIR"] = str(data_dir)
        domain_env["BEKYMRING_DEMO"] = "1" if demo else "0"
        return cls(
            data_dir=data_dir,
            demo=demo,
            municipality=config("BEKYMRING_MUNICIPALITY", default="Fjordvik kommune"),
            # Plain-http demo on localhost cannot use Secure cookies; production must.
            secure_cookies=config("BEKYMRING_SECURE_COOKIES", cast=bool, default=not demo),
            domain_env=domain_env,
            worker_threads=config("BEKYMRING_WORKER_THREADS", cast=int, default=None),
            read_models=read_models_from(config),
            health_token=config("BEKYMRING_HEALTH_TOKEN", cast=Secret, default=None),
            trusted_proxies=trusted_proxies_from(config("BEKYMRING_TRUSTED_PROXIES", default="")),
            local_accounts=config("BEKYMRING_LOCAL_ACCOUNTS", cast=bool, default=True),
            oidc=oidc_from(config),
            webauthn_origin=(config("BEKYMRING_WEBAUTHN_ORIGIN", default="") or "").rstrip("/") or None,
            webauthn_rp_id=config("BEKYMRING_WEBAUTHN_RP_ID", default=None),
            release_after_days=config("BEKYMRING_RELEASE_AFTER_DAYS", cast=days, default=DEFAULT_DELAY_DAYS),
            smtp=smtp_from(config),
            retention=retention_from(config),
        )

    def open_domain(self, serving: bool = False) -> Bekymring:
        """The domain application: the one place the secrets are unwrapped.
        `serving`: for the web server, whose requests must not wait long on
        PostgreSQL (the lock and statement timeouts, events/application.py); the
        CLI's long work (a rebuild, a verify) goes without them."""
        from events.application import REQUEST_WORK, Bekymring

        env = {k: str(v) for k, v in self.domain_env.items()}
        return Bekymring(env={**env, REQUEST_WORK: "1"} if serving else env)

    @property
    def store(self) -> str:
        module = self.domain_env.get("PERSISTENCE_MODULE", "")
        return "postgres" if module == "eventsourcing.postgres" else "sqlite"

    @property
    def threads(self) -> int:
        """How many requests may run store work (in threads) at once.

        SQLite's work is done in this process and holds the GIL, so more threads
        only take turns with it, and the hand-offs between many threads cost CPU
        per page. On
        PostgreSQL the threads mostly wait on the network, and fewer were slower."""
        if self.worker_threads is not None:
            return max(1, self.worker_threads)
        return SQLITE_THREADS if self.store == "sqlite" else POSTGRES_THREADS


def _checked(config: Config) -> Callable[..., Any]:
    """`config`, raising a SettingsError (which names the variable) for a bad value."""

    def read(name: str, cast: Callable[[Any], Any] | None = None, default: Any = None) -> Any:
        try:
            return config(name, cast=cast, default=default)
        except ValueError as e:
            raise SettingsError(str(e)) from None

    return read


def _hours(text: str) -> tuple[int, int]:
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError("want START-END, as 07-18")
    return int(start), int(end)


# ReadModelConfig's fields: the variable for each, and how its text is read.
READ_MODEL_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "office_hours": ("BEKYMRING_OFFICE_HOURS", _hours),
    "max_children_per_hour": ("BEKYMRING_MAX_CHILDREN_PER_HOUR", int),
    "checkpoint_every": ("BEKYMRING_CHECKPOINT_EVERY", int),
    "checkpoint_seconds": ("BEKYMRING_CHECKPOINT_SECONDS", float),
    "witness_file": ("BEKYMRING_WITNESS_FILE", str),
    "ledger_origin": ("BEKYMRING_LEDGER_ORIGIN", str),
}


def days(text: str) -> int:
    """A number of days, 0 or more."""
    n = int(text)
    if n < 0:
        raise ValueError("must be 0 or more")
    return n


# The variable that sets each kind's period (events/retention.py KINDS).
RETENTION_VARIABLES = {
    "concern_closed": "BEKYMRING_RETENTION_CONCERN_CLOSED",
    "concern_reported": "BEKYMRING_RETENTION_CONCERN_REPORTED",
    "collaboration_ended": "BEKYMRING_RETENTION_COLLABORATION_ENDED",
    "transfer": "BEKYMRING_RETENTION_TRANSFER",
    "consent_expired": "BEKYMRING_RETENTION_CONSENT_EXPIRED",
    "access_events": "BEKYMRING_RETENTION_ACCESS_EVENTS",
    "sign_ins": "BEKYMRING_RETENTION_SIGN_INS",
}


def retention_from(config: Callable[..., Any]) -> Schedule:
    """The retention schedule: per kind of record an ISO 8601 period after its end
    (P3Y, P18M, P90D) or `never`; unset, the default (events/retention.py)."""
    given: dict[str, Period | None] = {}
    for kind in KINDS:
        name = RETENTION_VARIABLES[kind]
        text = config(name, default=None)
        if text is None:
            continue
        try:
            given[kind] = Period.parse(text)
        except ValueError as e:
            raise SettingsError(f"{name}={text!r}: {e}") from None
    return Schedule(**given)


def read_models_from(config: Callable[..., Any]) -> ReadModelConfig:
    """The read models' values (projections/config.py), each checked on its own
    so that an error names its variable."""
    given = {}
    for key, (name, parse) in READ_MODEL_VARIABLES.items():
        text = config(name, default=None)
        if text is None:
            continue
        try:
            given[key] = parse(text)
            ReadModelConfig(**{key: given[key]})
        except ValueError as e:
            raise SettingsError(f"{name}={text!r}: {e}") from None
    return ReadModelConfig(**given)


def trusted_proxies_from(text: str) -> tuple[str, ...]:
    """BEKYMRING_TRUSTED_PROXIES: addresses or networks (comma-separated) of the
    reverse proxies whose X-Forwarded-For is believed. Empty: none, the peer's
    own address is the client's."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError as e:
            raise SettingsError(f"BEKYMRING_TRUSTED_PROXIES={text!r}: {e}") from None
    return tuple(networks)


@dataclass(frozen=True)
class OidcSettings:
    """The OpenID provider and how its claims give a user's role and unit."""

    issuer: str
    client_id: str
    client_secret: Secret
    scopes: str = "openid profile"
    role_claim: str = "groups"
    roles: dict[str, str] = field(default_factory=dict)  # claim value -> role ("resource_team/ppt" names a service)
    unit_claim: str = "unit"
    units: dict[str, str] = field(default_factory=dict)  # claim value -> unit name
    second_factor_amr: frozenset[str] = frozenset()  # an `amr` value that counts as a second factor
    second_factor_acr: frozenset[str] = frozenset()  # an `acr` value that does


def _pairs(name: str, text: str) -> dict[str, str]:
    """`a=b,c=d` as a dict; a pair without `=` is an error naming the variable."""
    pairs = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SettingsError(f"{name}: want VALUE=TARGET pairs separated by commas, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def oidc_from(config: Callable[..., Any]) -> OidcSettings | None:
    issuer = config("BEKYMRING_OIDC_ISSUER", default=None)
    if not issuer:
        return None
    client_id = config("BEKYMRING_OIDC_CLIENT_ID", default="")
    secret = config("BEKYMRING_OIDC_CLIENT_SECRET", cast=Secret, default=None)
    if not client_id or secret is None or not str(secret):
        raise SettingsError("BEKYMRING_OIDC_ISSUER needs BEKYMRING_OIDC_CLIENT_ID and BEKYMRING_OIDC_CLIENT_SECRET")
    from events.directory import ROLES, SERVICES

    roles = _pairs("BEKYMRING_OIDC_ROLES", config("BEKYMRING_OIDC_ROLES", default=""))
    for value, role in roles.items():
        name, _, service = role.partition("/")
        if name not in ROLES or (service and service not in SERVICES):
            raise SettingsError(f"BEKYMRING_OIDC_ROLES: {value}={role}: unknown role")
    words = lambda name: frozenset(config(name, default="").replace(",", " ").split())  # noqa: E731
    return OidcSettings(
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=secret,
        scopes=config("BEKYMRING_OIDC_SCOPES", default="openid profile"),
        role_claim=config("BEKYMRING_OIDC_ROLE_CLAIM", default="groups"),
        roles=roles,
        unit_claim=config("BEKYMRING_OIDC_UNIT_CLAIM", default="unit"),
        units=_pairs("BEKYMRING_OIDC_UNITS", config("BEKYMRING_OIDC_UNITS", default="")),
        second_factor_amr=words("BEKYMRING_OIDC_SECOND_FACTOR_AMR"),
        second_factor_acr=words("BEKYMRING_OIDC_SECOND_FACTOR_ACR"),
    )


SMTP_SECURITY = {"starttls": 587, "ssl": 465, "none": 25}  # how to connect -> its usual port


@dataclass(frozen=True)
class SmtpSettings:
    """The municipality's SMTP server, and the intranet's address the e-mails link to."""

    host: str
    port: int
    security: str  # "starttls", "ssl", or "none" (only for a relay on the same host)
    sender: str  # the From address
    public_url: str  # the intranet as users reach it, e.g. https://bekymring.kommune.no
    user: str = ""
    password: Secret | None = None
    ca_file: str = ""  # the CAs to check the server's certificate by ("": the system's)
    timeout: float = 30.0


def smtp_from(config: Callable[..., Any]) -> SmtpSettings | None:
    """Off (None) unless BEKYMRING_SMTP_HOST names a server."""
    host = config("BEKYMRING_SMTP_HOST", default=None)
    if not host:
        return None
    security = config("BEKYMRING_SMTP_SECURITY", default="starttls")
    if security not in SMTP_SECURITY:
        raise SettingsError(f"BEKYMRING_SMTP_SECURITY={security!r}: want one of {', '.join(SMTP_SECURITY)}")
    sender = config("BEKYMRING_SMTP_FROM", default="")
    public_url = (config("BEKYMRING_PUBLIC_URL", default="") or "").rstrip("/")
    if not sender or not public_url.startswith(("https://", "http://")):
        raise SettingsError("BEKYMRING_SMTP_HOST needs BEKYMRING_SMTP_FROM and BEKYMRING_PUBLIC_URL (https://...)")
    return SmtpSettings(
        host=host, port=config("BEKYMRING_SMTP_PORT", cast=int, default=SMTP_SECURITY[security]), security=security,
        sender=sender, public_url=public_url, user=config("BEKYMRING_SMTP_USER", default=""),
        password=config("BEKYMRING_SMTP_PASSWORD", cast=Secret, default=None),
        ca_file=config("BEKYMRING_SMTP_CA_FILE", default=""))
