"""A test module's TODAY is taken when the module is collected; a run that
passes midnight in Oslo would hold yesterday against the domain's today
(tests/conftest.py `today_of` refreshes it before each test)."""

from __future__ import annotations

from datetime import date, timedelta

from events import clock
from tests import conftest


def test_a_today_taken_before_midnight_is_today_and_a_fixed_date_is_kept(monkeypatch):
    yesterday = clock.today() - timedelta(days=1)
    monkeypatch.setattr(conftest, "COLLECTED_ON", yesterday)  # collected before midnight
    assert conftest.today_of(yesterday) == clock.today()
    assert conftest.today_of(date(2026, 7, 10)) == date(2026, 7, 10)
