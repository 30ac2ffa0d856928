"""A concern page on PostgreSQL in at most three round trips to the database:
the session, its user and grants in one; the concern, its child, its history
and the page's read models in one; the access event in one (and committed
before the page is rendered, as on every page that shows a child's data).
Round trips are counted as libpq sees them (tests/roundtrips.py)."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from starlette.testclient import TestClient

from tests.roundtrips import CountingApp
from tests.test_read_model_tampering import child_name, execute


def page_of(web, client, url: str) -> str:
    """The page's HTML, without what differs between two requests for it (tokens, nonces)."""
    page = client.get(url)
    assert page.status_code == 200
    return re.sub(r'(csrf_token" value=|nonce=|csrf-token" content=)"[^"]*"', r'\1"-"', page.text)


@pytest.mark.parametrize("env", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_concern_page_costs_three_round_trips_on_postgres(web):
    staff = web.login("staff")
    url = f"/bekymringer/{web.concerns['own']}"
    counted = CountingApp(web.app)
    client = TestClient(counted, base_url="https://testserver", follow_redirects=False, cookies=staff.cookies)
    before = web.domain.position()
    assert client.get(url).status_code == 200  # its connections have prepared their statements
    with counted.count() as trips:
        page = client.get(url)
    assert page.status_code == 200 and child_name(web, "own") in page.text
    assert trips.round_trips <= 3, "\n".join(trips.statements)
    # The last of them is the access event's commit: it was committed before the page was sent.
    assert trips.statements[-2].endswith('"COMMIT')
    assert web.domain.position() == before + 2


def test_a_concern_page_is_the_same_when_the_read_model_names_another_child_and_unit(web, env):
    """The page reads its child and its unit's colleagues ahead, by the concerns read
    model's row; a row altered to name another child and another unit changes nothing shown."""
    staff = web.login("staff")
    concern_id = web.concerns["own"]  # Solsikken barnehage's
    url = f"/bekymringer/{concern_id}"
    before = page_of(web, staff, url)
    other = web.domain.get_concern(web.concerns["other"])  # Fjordvik skole's
    execute(env, "concerns", "UPDATE {concerns} SET child_id = ?, unit_id = ? WHERE id = ?",
            (str(other.child_id), str(other.unit_id), str(concern_id)))
    after = page_of(web, staff, url)
    assert child_name(web, "other") not in after
    assert after == before


def test_a_write_that_conflicts_is_refused_whole_and_the_next_one_commits(domain):
    """A write is one round trip on PostgreSQL (events/storage/postgres_recorder.py
    `insert_events`): one that breaks a record's version order is refused whole,
    as the library's is, and leaves its connection fit for the next write."""
    record = uuid4()
    topic = "tests:Nothing"
    assert domain.recorder.insert_events([StoredEvent(record, 1, topic, b"1")])
    for _ in range(3):  # more than once: each time on a connection the last failure may have left
        with pytest.raises(IntegrityError):
            domain.recorder.insert_events([StoredEvent(record, 2, topic, b"2"), StoredEvent(record, 1, topic, b"x")])
    assert len(domain.recorder.insert_events([StoredEvent(record, 2, topic, b"2")])) == 1
    assert [(e.originator_version, e.state) for e in domain.recorder.select_events(record)] == [(1, b"1"), (2, b"2")]
