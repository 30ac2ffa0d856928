"""The front page in a real browser: a concern filed three weeks late shows as a
passed deadline to its author and to the unit's leader (never as "Innen …"), a
new one as new to the leader; another unit's leader sees neither."""

from __future__ import annotations

import re
from datetime import timedelta

from events import clock
from tests.e2e.people import sign_in


def file_concern_seen_on(page, server, text: str, day) -> str:
    page.goto(server.url + "/bekymringer/ny")
    page.get_by_label("Barn i enheten").select_option(index=1)
    page.get_by_label("Dato for observasjonen").fill(day.isoformat())
    page.get_by_label("Hva har du sett eller hørt?").fill(text)
    page.get_by_label("Omsorgssvikt").check()
    page.get_by_label("2 – Litt bekymret").check()
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.wait_for_url(re.compile(r"/bekymringer/[0-9a-f-]{36}$"))
    return page.url.removeprefix(server.url)


def section(page, heading: str):
    return page.locator("main section", has=page.get_by_role("heading", name=heading, exact=True))


def test_each_role_sees_its_own_work_on_the_front_page(context, server):
    today = clock.today()
    passed = today - timedelta(days=6)  # a conversation with the guardians was due 14 days after
    staff = context.new_page()
    sign_in(staff, server, "pedleder")
    late = file_concern_seen_on(staff, server, "Kom uten matpakke tre uker på rad.", today - timedelta(days=20))
    new = file_concern_seen_on(staff, server, "Sovnet i samlingsstund.", today)

    staff.goto(server.url + "/")
    mine = section(staff, "Mine åpne bekymringer")
    assert mine.locator(f"a[href='{late}']").count() == 1 and mine.locator(f"a[href='{new}']").count() == 1
    due = section(staff, "Frister")
    step = due.locator("li", has=staff.locator(f"a[href^='{late}#']"))
    assert f"Frist gikk ut {passed:%d.%m.%Y}" in step.inner_text()
    assert "Innen" not in step.inner_text()

    leader = context.browser.new_context(locale="nb-NO").new_page()
    sign_in(leader, server, "styrer")
    assert section(leader, "Nye bekymringer").locator(f"a[href='{new}']").count() == 1
    assert section(leader, "Nye bekymringer").locator(f"a[href='{late}']").count() == 0  # seen three weeks ago
    step = section(leader, "Frister").locator("li", has=leader.locator(f"a[href^='{late}#']"))
    assert f"Frist gikk ut {passed:%d.%m.%Y}" in step.inner_text()
    assert section(leader, "Meldinger til barnevernet uten bekreftet mottak").count() == 1
    assert section(leader, "Kommende møter i ressursteamet").count() == 1
    # The inbox says so too.
    leader.goto(server.url + "/bekymringer/innboks")
    row = leader.locator("tr", has=leader.locator(f"a[href='{late}']"))
    assert f"Frist gikk ut {passed:%d.%m.%Y}" in row.inner_text()

    other = context.browser.new_context(locale="nb-NO").new_page()
    sign_in(other, server, "rektor")
    assert other.locator(f"a[href='{new}'], a[href^='{late}']").count() == 0
    assert section(other, "Nye bekymringer").count() == 1
