"""Small builders for test data: one realistic child, with what must never leak."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from events import clock
from events.policy import Basis

SECRET_FIRST_NAME = "Sunnivalda"
SECRET_LAST_NAME = "Kvitrustad"
SECRET_NATIONAL_ID = "04832150083"  # synthetic (month + 80), valid checksum
SECRET_GUARDIAN = "Mariell Kvitrustad"
SECRET_PHONE = "+47 412 98 765"
SECRET_ADDRESS = "Lyngveien 17"

SECRETS = [
    SECRET_FIRST_NAME,
    SECRET_LAST_NAME,
    SECRET_NATIONAL_ID,
    SECRET_GUARDIAN,
    SECRET_PHONE,
    SECRET_ADDRESS,
]


def guardians() -> list[dict]:
    return [
        {
            "name": SECRET_GUARDIAN,
            "relation": "mor",
            "parental_responsibility": True,
            "phone": SECRET_PHONE,
            "email": "mariell@example.no",
            "address": f"{SECRET_ADDRESS}, 9999 Fjordvik",
        },
        {"name": "Per Kvitrustad", "relation": "far", "parental_responsibility": True},
    ]


def register_secret_child(domain, unit_id=None):
    if unit_id is None:
        unit_id = domain.register_unit("Solsikken barnehage", "barnehage")
    return domain.register_child(
        first_name=SECRET_FIRST_NAME,
        last_name=SECRET_LAST_NAME,
        birth_date=date(2021, 3, 4),
        unit_id=unit_id,
        national_id=SECRET_NATIONAL_ID,
        guardians=guardians(),
    )


def five_children_seen_at_once(domain) -> None:
    """One staff member sees five children of her school in one access; she
    shares Barn0's surname (Strand)."""
    from events.base import acting_as

    unit = domain.register_unit("Fjordvik skole", "skole")
    user = domain.register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
    children = [domain.register_child(f"Barn{i}", "Strand" if i == 0 else f"Etternavn{i}", date(2015, 1, 1), unit)
                for i in range(5)]
    with acting_as(user):
        domain.record_access(user, "staff", unit, children, ["child.name"], "view", "", "s",
                             [Basis("own_unit")] * len(children))


def give_consent(domain, child_id, services, *, signers=None, days: int = 365, recorded_by=None, **fields):
    """A written consent for `services`, valid from today for `days`. `signers`
    (names) default to everyone whose signature the law asks for: each guardian
    with parental responsibility, and the child from 15. `fields` override the
    other arguments of `record_consent` (decision, information, purpose, ...)."""
    if signers is None:
        child = domain.get_child(child_id)
        signers = [g["name"] for g in child.guardians_with_responsibility]
        if child.age_on(clock.today()) >= 15:
            signers.append(child.name)
    today = clock.today()
    args = dict(
        decision="given", services=list(services), information=["observations", "development"],
        purpose="Utredning og samarbeid", valid_from=today, valid_until=today + timedelta(days=days),
        signatories=[{"name": name, "method": "skriftlig"} for name in signers],
        exclusions="", oral=False, minutes="", recorded_by=recorded_by or uuid4(),
    )
    args.update(fields)
    return domain.record_consent(child_id, **args)
