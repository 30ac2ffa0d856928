"""The action guide (handlingsveileder, BTI): the steps at each level.

Keys only; the interface supplies the words (intranet/labels.py).
"""

from __future__ import annotations

STEPS: dict[int, tuple[str, ...]] = {
    # Level 0: wonder and clarify, within about two weeks.
    0: ("write_down", "talk_leader", "talk_guardians_child", "decide"),
    # Level 1: action within one's own service.
    1: ("plan_with_guardians", "carry_out", "evaluate", "decide_next"),
    # Level 2: cooperation with one or two other services.
    2: ("consent", "coordinator", "joint_plan", "evaluate", "decide_next"),
    # Level 3: three or more services, or a specialist referral.
    3: ("consent", "coordinator", "responsibility_group", "individual_plan", "referral", "evaluate"),
}


# With suspected violence or sexual abuse, at any level: barnevernet or the
# police first, and the guardians are not told before they have advised.
URGENT_STEPS: tuple[str, ...] = ("contact_authorities", "write_down", "talk_leader", "report_barnevern")


def steps_for(level: int, urgent: bool = False) -> tuple[str, ...]:
    """The checklist for a concern at `level`; `urgent`: violence or sexual abuse."""
    return URGENT_STEPS if urgent else STEPS[level]
