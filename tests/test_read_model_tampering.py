"""Rows inserted into, altered in or deleted from a read model's real SQLite
file or PostgreSQL table: a list that shows names still asks the policy of each
row, on the record itself, and `intranet projections verify` names every row
that differs from a rebuild."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import pg_connect


def execute(env, read_model: str, sql: str, params=()) -> None:
    """Run `sql` on a read model's tables as someone with the disk or the database
    would (`{table}` names a table of the read model)."""
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        schema = env["POSTGRES_SCHEMA"]
        sql = sql.replace("{", f"{schema}.{read_model}_").replace("}", "").replace("?", "%s")
        with pg_connect(dbname=env["POSTGRES_DBNAME"]) as c:
            c.execute(sql, params)
    else:
        with sqlite3.connect(Path(env["BEKYMRING_DATA_DIR"]) / "views" / f"{read_model}.sqlite") as c:
            c.execute(sql.replace("{", "").replace("}", ""), params)


def verify(env, *names):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run([sys.executable, "-m", "intranet.cli", "projections", "verify", *names],
                          env={**clean, **env}, capture_output=True, text=True, timeout=300)


def child_name(web, concern_key: str) -> str:
    child = web.domain.get_child(web.domain.get_concern(web.concerns[concern_key]).child_id)
    return f"{child.first_name} {child.last_name}"


def test_an_inserted_members_row_does_not_show_another_units_child(web, env):
    teacher = web.ids["users"]["laerer"]  # Fjordvik skole
    concern_id = web.concerns["own"]  # Solsikken barnehage's
    name = child_name(web, "own")
    teacher_client = web.login("laerer")
    assert name not in teacher_client.get("/bekymringer").text
    execute(env, "concerns", "INSERT INTO {members} (concern_id, user_id) VALUES (?, ?)",
            (str(concern_id), str(teacher)))
    assert web.projections["concerns"].view.mine(teacher, "open", 0, 50)  # the row took
    page = teacher_client.get("/bekymringer")
    assert page.status_code == 200
    assert name not in page.text and str(concern_id) not in page.text
    overdue = teacher_client.get("/bekymringer/forfalt")
    assert name not in overdue.text and str(concern_id) not in overdue.text


def test_an_altered_unit_does_not_show_another_units_child_in_the_inbox(web, env):
    concern_id = web.concerns["other"]  # Fjordvik skole's
    name = child_name(web, "other")
    execute(env, "concerns", "UPDATE {concerns} SET unit_id = ? WHERE id = ?",
            (str(web.ids["units"]["solsikken"]), str(concern_id)))
    leader = web.login("unit_leader")  # Solsikken barnehage's leader
    page = leader.get("/bekymringer/innboks")
    assert page.status_code == 200
    assert name not in page.text and str(concern_id) not in page.text


def test_verify_names_inserted_altered_and_deleted_rows(web, env):
    web.projections.stop()  # the live read models as the store left them
    clean = verify(env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "concerns: OK" in clean.stdout and "directory: OK" in clean.stdout and "ledger: OK" in clean.stdout

    teacher = web.ids["users"]["laerer"]
    inserted, altered, deleted = web.concerns["own"], web.concerns["other"], web.concerns["colleague"]
    execute(env, "concerns", "INSERT INTO {members} (concern_id, user_id) VALUES (?, ?)", (str(inserted), str(teacher)))
    execute(env, "concerns", "UPDATE {concerns} SET level = level + 1 WHERE id = ?", (str(altered),))
    execute(env, "concerns", "DELETE FROM {members} WHERE concern_id = ?", (str(deleted),))
    child = web.domain.get_concern(web.concerns["own"]).child_id
    execute(env, "directory", "UPDATE {children} SET name_sealed = "
            "(SELECT name_sealed FROM {children} WHERE id <> ? LIMIT 1) WHERE id = ?", (str(child), str(child)))

    result = verify(env)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert (f"concerns.members (user_id={teacher}, concern_id={inserted}): "
            "in the live read model, not in the rebuild (inserted)") in out
    assert f"concerns.concerns (id={altered}): column level differs (altered)" in out
    authors = [line for line in out.splitlines() if f"concern_id={deleted})" in line]
    assert authors and all(line.endswith("in the rebuild, not in the live read model (deleted)") for line in authors)
    assert f"directory.children (id={child}): column name_sealed differs (altered)" in out
    assert "ledger: OK" in out and "referrals: OK" in out
    # Named only: no value in clear.
    assert child_name(web, "own") not in out

    only = verify(env, "directory")
    assert only.returncode == 1 and "concerns" not in only.stdout
    assert verify(env, "nosuch").returncode == 2
