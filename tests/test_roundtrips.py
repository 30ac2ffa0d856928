"""A concern page on PostgreSQL in at most three round trips to the database."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.roundtrips import CountingApp


@pytest.mark.parametrize("env", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_concern_page_round_trips(web):
    staff = web.login("staff")
    url = f"/bekymringer/{web.concerns['own']}"
    counted = CountingApp(web.app)
    client = TestClient(counted, base_url="https://testserver", follow_redirects=False, cookies=staff.cookies)
    assert client.get(url).status_code == 200  # warm: the connections have prepared their statements
    with counted.count() as trips:
        page = client.get(url)
    assert page.status_code == 200
    print("\n".join(trips.messages))
    print(trips.round_trips, "\n".join(trips.statements))
    assert trips.round_trips <= 3
