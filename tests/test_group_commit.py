"""Access events shown at the same moment share one commit (events/group_commit.py),
on a real SQLite file and a real PostgreSQL: each caller returns only once its
own event is stored, and one record that cannot be stored costs only its own page."""

from __future__ import annotations

import threading
import time
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError as AlreadyStored

from events.audit import Access
from events.group_commit import GroupCommit
from events.policy import Basis


def an_access(**fields) -> Access:
    values = dict(user_id=uuid4(), role="staff", unit_id=uuid4(), subject_ids=[uuid4()],
                  records=["concern"], action="view", reason="", session="s", bases=[["own_unit", None]])
    if "id" in fields:
        return Access._create(Access.Created, **values, **fields)  # noqa: SLF001 - a chosen id
    return Access(**values)


class HeldFirstCommit:
    """The domain's own save, holding its first commit until `others` more callers
    have queued behind it, so that they must share the next one. Records each
    commit's events."""

    def __init__(self, domain, others: int):
        self.domain, self.others = domain, others
        self.commits: list[list] = []
        self.group: GroupCommit | None = None
        self.holding = threading.Event()  # the first caller is in its commit

    def __call__(self, *events) -> None:
        if not self.commits:
            self.holding.set()
            deadline = time.monotonic() + 10
            while self.group.queued < self.others:
                assert time.monotonic() < deadline, "the other callers never queued"
                time.sleep(0.005)
        self.commits.append(list(events))
        self.domain.save(*events)


def save_at_once(held: HeldFirstCommit, records: list) -> dict:
    """Each record saved from a thread of its own; what each save raised, by record
    (None: it returned, and its event was stored when it did)."""
    outcome: dict = {}

    def save(record) -> None:
        try:
            group.save(*record.collect_events())
            # Returned: the event must be in the store already, not merely queued.
            outcome[record.id] = None if stored(held.domain, record.id) else "returned before it was stored"
        except Exception as error:  # noqa: BLE001 - the outcome is checked
            outcome[record.id] = error

    group = held.group
    first = threading.Thread(target=save, args=(records[0],))
    first.start()
    assert held.holding.wait(10)
    rest = [threading.Thread(target=save, args=(r,)) for r in records[1:]]
    for t in rest:
        t.start()
    for t in [first, *rest]:
        t.join(30)
    return outcome


def stored(domain, record_id) -> bool:
    return bool(domain.recorder.select_events(record_id))


def test_pages_shown_at_once_share_one_commit_and_each_is_stored(domain):
    held = HeldFirstCommit(domain, others=3)
    held.group = GroupCommit(held)
    records = [an_access() for _ in range(4)]

    outcome = save_at_once(held, records)

    assert outcome == {r.id: None for r in records}  # every caller returned normally
    assert [len(c) for c in held.commits] == [1, 3]  # the three waiting shared one commit
    assert all(stored(domain, r.id) for r in records)


def test_one_record_that_cannot_be_stored_costs_only_its_own_page(domain):
    earlier = an_access()
    domain.save(earlier)
    held = HeldFirstCommit(domain, others=3)
    held.group = GroupCommit(held)
    first, clash, fine, also_fine = an_access(), an_access(id=earlier.id), an_access(), an_access()

    outcome = save_at_once(held, [first, clash, fine, also_fine])

    assert isinstance(outcome.pop(earlier.id), AlreadyStored)  # the clash, and only it, refused
    assert outcome == {first.id: None, fine.id: None, also_fine.id: None}
    # The shared commit failed whole, then each caller's event was tried alone.
    assert [len(c) for c in held.commits] == [1, 3, 1, 1, 1]
    assert stored(domain, fine.id) and stored(domain, also_fine.id)


def test_when_the_store_refuses_every_waiting_caller_is_refused(domain, env):
    from tests.test_privacy import make_access_writes_fail

    held = HeldFirstCommit(domain, others=2)
    held.group = GroupCommit(held)
    make_access_writes_fail(env)
    records = [an_access() for _ in range(3)]

    outcome = save_at_once(held, records)

    assert all(isinstance(outcome[r.id], Exception) for r in records)  # no page shows data
    assert not any(stored(domain, r.id) for r in records)


@pytest.mark.parametrize("callers", [1, 8])
def test_record_access_goes_through_the_group_commit(domain, callers):
    """The application's `record_access` is the group-committed path: with its first
    commit held, the other threads' accesses share the next one."""
    held = HeldFirstCommit(domain, others=callers - 1)
    domain._access_commits = held.group = GroupCommit(held)  # noqa: SLF001 - the one the app uses
    ids: list = []
    threads = [threading.Thread(target=lambda: ids.append(domain.record_access(
        uuid4(), "staff", uuid4(), [uuid4()], ["concern"], "view", "", "s", [Basis("own_unit")])))
        for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(ids) == callers and all(stored(domain, i) for i in ids)
    assert [len(c) for c in held.commits] == ([1] if callers == 1 else [1, callers - 1])
