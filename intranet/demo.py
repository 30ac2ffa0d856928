"""Loading the demo municipality into an empty store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.application import Bekymring
from events.base import acting_as
from intranet import demo_data
from intranet.passwords import hash_password


def is_loaded(app: Bekymring) -> bool:
    return app.position() > 0


def load(app: Bekymring) -> dict[str, Any]:
    """Register the demo units, users and children; return their ids by key."""
    with acting_as(None):  # the demo loader acts as the system
        units: dict[str, UUID] = {
            u["key"]: app.register_unit(u["name"], u["kind"]) for u in demo_data.UNITS
        }
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
            )
            for u in demo_data.USERS
        }
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
    return {"units": units, "users": users, "children": children}


def logins_text(url: str) -> str:
    """What the demo prints: where to go and who to log in as."""
    lines = [f"Bekymring kjører på {url}", "", "Demobrukere (passord: " + demo_data.DEMO_PASSWORD + "):"]
    for u in demo_data.USERS:
        lines.append(f"  {u['username']:<16} {u['role']:<17} {u['title']}")
    return "\n".join(lines)
