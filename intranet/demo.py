"""Loading the demo municipality into an empty store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events import totp
from events.directory import TOTP_REQUIRED_ROLES
from events.application import Bekymring
from events.base import acting_as
from intranet import demo_binder, demo_data
from intranet.passwords import hash_password

# Demo users in roles that must use a second factor get it set up in advance,
# with these published secrets and recovery codes, so the demo can be tried
# without an authenticator app. Never do this outside the demo.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_RECOVERY_CODES = [f"demo-{i:04d}" for i in range(1, 11)]


def is_loaded(app: Bekymring) -> bool:
    return app.position() > 0


def load(app: Bekymring) -> dict[str, Any]:
    """Register the demo units, users and children; return their ids by key."""
    with acting_as(None):  # the demo loader acts as the system
        app.set_municipality(demo_data.MUNICIPALITY_NUMBER, demo_data.MUNICIPALITY)
        units: dict[str, UUID] = {
            u["key"]: app.register_unit(u["name"], u["kind"]) for u in demo_data.UNITS
        }
        for u in demo_data.UNITS:
            app.set_unit_address(units[u["key"]], u["street"], u["postcode"], u["place"])
        password_hash = hash_password(demo_data.DEMO_PASSWORD)
        users = {
            u["username"]: app.register_user(
                username=u["username"],
                name=u["name"],
                title=u["title"],
                role=u["role"],
                unit_id=units[u["unit"]] if u["unit"] else None,
                service=u["service"],
                password_hash=password_hash,
                password_is_temporary=False,
            )
            for u in demo_data.USERS
        }
        for u in demo_data.USERS:
            if u["role"] in TOTP_REQUIRED_ROLES:
                app.enrol_totp(
                    users[u["username"]], DEMO_TOTP_SECRET, 0,
                    [totp.hash_recovery_code(c) for c in DEMO_RECOVERY_CODES],
                )
        children = [
            app.register_child(
                first_name=c["first_name"],
                last_name=c["last_name"],
                birth_date=c["birth_date"],
                unit_id=units[c["unit"]],
                national_id=c["national_id"],
                guardians=c["guardians"],
            )
            for c in demo_data.CHILDREN
        ]
    demo_binder.load(app, units, users)  # each page names the user who wrote it
    load_wheel(app, units, users)
    return {"units": units, "users": users, "children": children}


def load_wheel(app: Bekymring, units: dict[str, UUID], users: dict[str, UUID]) -> None:
    """The municipal wheel from the suggested year, added by the kommunalsjef, and
    one item on Solsikken barnehage's own wheel, by its leader."""
    with acting_as(users["kommunalsjef"]):
        app.add_default_wheel()
    with acting_as(users["styrer"]):
        app.add_wheel_item(units["solsikken"], title="Personalmøte: barn som bekymrer", month=9, day=None,
                           year=None, starts_at="", place="", kind="staff_meeting",
                           description="Gå gjennom handlingsveilederen og loggboka med hele personalet.",
                           repeat="yearly")


def load_with_casework(app: Bekymring) -> dict[str, Any]:
    """The demo as `intranet demo` serves it: the directory, two years of generated
    casework (intranet/demo_history.py), this year's examples (intranet/demo_examples.py)
    three collaborations across services (intranet/demo_collaborations.py), the
    resource team's meeting series at Solsikken (intranet/demo_series.py) and two
    children with old records for the retention list (intranet/demo_retention.py).
    The tests' shared store (tests/demostore.py) has the directory only, and builds its own cases."""
    from intranet.demo_collaborations import load_collaborations
    from intranet.demo_examples import load_examples
    from intranet.demo_history import load_history
    from intranet.demo_programme import load as load_programme
    from intranet.demo_retention import load_retention_examples
    from intranet.demo_series import load_series

    ids = load(app)
    load_history(app, ids)
    load_examples(app, ids)
    ids["collaborations"] = load_collaborations(app, ids)
    load_programme(app, ids)
    ids["series"] = load_series(app, ids)
    ids["retention"] = load_retention_examples(app, ids)
    return ids


def logins_text(url: str) -> str:
    """What the demo prints: where to go and who to log in as."""
    lines = [f"Bekymring kjører på {url}", "", "Demobrukere (passord: " + demo_data.DEMO_PASSWORD + "):"]
    for u in demo_data.USERS:
        lines.append(f"  {u['username']:<16} {u['role']:<17} {u['title']}")
    lines += [
        "",
        "Personvernombud, kommunalsjef og administrator må bruke totrinnsinnlogging.",
        f"  TOTP-nøkkel for demoen: {DEMO_TOTP_SECRET}",
        f"  eller en reservekode (hver kan brukes én gang per bruker): {', '.join(DEMO_RECOVERY_CODES[:5])}",
    ]
    return "\n".join(lines)
