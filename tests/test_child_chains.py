"""The children's access chains in the ledger (projections/ledger.py): links
derived in log order from the access events, the map each checkpoint signs,
the report they give (events/ledger/report_check.py), and `audit verify`
recomputing them from the raw store. Both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from events.audit import grant_reason
from events.ledger.access_chain import CHAIN_START, MapLeaf, map_commitment, map_root, next_link
from events.ledger.checkpoints import parse_checkpoint, verify_checkpoint
from events.ledger.report_check import verify_report
from events.ledger.tree import row_leaf_hash
from events.policy import Basis
from projections.ledger import (
    ACCESS_TOPICS, LedgerProjection, blind_child_key, chain_report, child_key_secret, raw_rows, signing_key,
    verify,
)
from projections.live import ProjectionRunner
from projections.rebuild import rebuild
from tests.rawstore import postgres_pages
from tests.test_tamper_evidence import execute


class Scene:
    """A unit, three users, three children, and accesses to them by several users:
    one access naming two children on their own bases, and a break-the-glass grant
    with a read under it."""

    def __init__(self, domain):
        self.domain = domain
        unit = self.unit = domain.register_unit("Solsikken", "barnehage")
        self.users = [domain.register_user(f"user{i}", f"Ansatt {i}", "Pedagogisk leder", "staff", unit, None, "x")
                      for i in range(3)]
        self.children = [domain.register_child(f"Barn{i}", "Hansen", date(2020, 1, i + 1), unit) for i in range(3)]
        a, b, c = self.children
        self.access(0, [a, b], ["child.name", "concern"], [Basis("own_unit"), Basis("consent", self.users[0])])
        self.access(1, [a], ["child.details"])
        self.access(0, [c], ["child.name"])
        grant = domain.break_glass(self.users[2], "staff", [a], [a], "akutt", 60, "s2")
        self.access(2, [a], ["concern"], [Basis("break_glass", grant)], reason=grant_reason("akutt"))
        self.access(1, [b, a], ["child.name"])
        self.runner = ProjectionRunner(domain, [LedgerProjection])
        self.catch_up()

    def access(self, user: int, children, records, bases=None, reason=""):
        self.domain.record_access(self.users[user], "staff", self.unit, children, records, "view", reason,
                                  f"s{user}", bases or [Basis("own_unit")] * len(children))

    def catch_up(self):
        self.runner.catch_up()
        return self.ledger.checkpoint_now()

    @property
    def ledger(self):
        return self.runner["ledger"]

    def report(self, child):
        return chain_report(self.domain, self.ledger.view, child)


@pytest.fixture
def scene(domain):
    return Scene(domain)


def recomputed(domain) -> list[tuple]:
    """Every link from the raw store, worked out here from each event's fields."""
    secret = child_key_secret(domain.keystore)
    heads, links = {}, []
    for n in raw_rows(domain):
        if n.topic not in ACCESS_TOPICS:
            continue
        event = domain.mapper.to_domain_event(n)
        leaf = row_leaf_hash(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state))
        grant = not hasattr(event, "action")
        seen = set()
        for i, child in enumerate(event.subject_ids):
            if child in seen:
                continue
            seen.add(child)
            if grant:
                basis, ref = "break_glass", str(event.originator_id)
            else:
                basis, ref = event.bases[i][0], event.bases[i][1] and str(event.bases[i][1])
            entry = {"id": str(event.originator_id), "at": event.timestamp.isoformat(), "user": str(event.user_id),
                     "role": event.role, "unit": None if grant else str(event.unit_id),
                     "action": "break_glass" if grant else event.action, "records": [] if grant else event.records,
                     "basis": basis, "basis_ref": ref}
            key = blind_child_key(secret, child)
            count, previous = heads.get(key, (0, CHAIN_START))
            link = next_link(previous, leaf, entry)
            heads[key] = (count + 1, link)
            links.append((key, count + 1, n.id, entry, leaf, previous, link))
    return sorted(links, key=lambda x: (x[2], x[0]))


def test_the_ledgers_chains_equal_a_recomputation_and_a_rebuild_gives_them_again(scene):
    domain = scene.domain
    stored = scene.ledger.view.all_links()
    assert stored == recomputed(domain)
    a, b, c = scene.children
    assert [len([x for x in stored if x[0] == blind_child_key(child_key_secret(domain.keystore), child)])
            for child in (a, b, c)] == [5, 2, 1]
    # Each entry holds the basis of its own child only: the access naming a and b
    # gives a "own_unit" and b the consent; no entry names a child.
    texts = [str(x[3]) for x in stored]
    assert not any(str(child) in t for t in texts for child in scene.children)
    rebuild(domain, ["ledger"], processes=1)
    assert LedgerProjection(scene.ledger.view, domain).view.all_links() == stored


def test_a_checkpoint_carries_the_map_under_its_signature(scene):
    domain = scene.domain
    cp = parse_checkpoint(scene.ledger.view.newest_checkpoint()[0].note)
    signed = map_commitment(cp.text)
    heads = {}
    for key, n, _row, _entry, _leaf, _previous, link in recomputed(domain):
        heads[key] = MapLeaf(key, n, link)
    assert (signed.size, signed.root) == (3, map_root(list(heads.values())))
    origin = cp.origin
    public = signing_key(domain.keystore).public_key()
    assert verify_checkpoint(cp, origin, public)
    forged = cp.note.replace(f"bekymring-children {signed.size} ", f"bekymring-children {signed.size + 1} ")
    assert not verify_checkpoint(parse_checkpoint(forged), origin, public)


def test_the_report_of_a_child_with_accesses_by_several_users_and_a_grant_is_complete(scene):
    report = scene.report(scene.children[0])
    verdict = verify_report(report, report["verifier_key"])
    assert verdict.ok, verdict.text("en")
    assert verdict.params["count"] == 5
    assert [a["entry"]["action"] for a in report["accesses"]] == ["view", "view", "break_glass", "view", "view"]
    assert report["accesses"][3]["entry"]["basis"] == "break_glass"
    assert len({a["entry"]["user"] for a in report["accesses"]}) == 3
    assert verify(scene.domain, scene.ledger.view).ok


def test_an_access_after_the_checkpoint_is_not_in_the_report_until_the_next(scene):
    a = scene.children[0]
    scene.access(2, [a], ["child.name"])
    scene.runner.catch_up()
    assert len(scene.report(a)["accesses"]) == 5  # the newest checkpoint is before it
    scene.catch_up()
    report = scene.report(a)
    assert len(report["accesses"]) == 6 and verify_report(report, report["verifier_key"]).ok


def test_a_report_is_signed_when_no_checkpoint_has_the_map(scene):
    view = scene.ledger.view
    with view.transaction(commit=True) as c:
        c.execute(view.sql("DELETE FROM {maps}"))
    report = scene.report(scene.children[1])
    assert verify_report(report, report["verifier_key"]).ok


def test_an_access_removed_with_its_ledger_rows_leaves_the_report_incomplete_and_verify_names_it(scene, env):
    domain, view = scene.domain, scene.ledger.view
    a = scene.children[0]
    key = blind_child_key(child_key_secret(domain.keystore), a)
    third = view.links_of(key, 10**9)[2]["row_id"]  # the grant
    execute(env, "DELETE FROM {events} WHERE rowid = ?", (third,))
    with view.transaction(commit=True) as c:
        c.execute(view.sql("DELETE FROM {leaves} WHERE id = ?"), (third,))
        c.execute(view.sql("DELETE FROM {links} WHERE row_id = ?"), (third,))
    report = scene.report(a)
    verdict = verify_report(report, report["verifier_key"])
    assert (verdict.code, verdict.params.get("line")) == ("removed", 3)
    result = verify(domain, view)
    assert not result.ok
    assert any("commits to a children's map" in p and "removed, altered or inserted" in p
               for p in result.problems), result


def test_erasing_a_child_keeps_the_others_reports_complete_and_verify_green(scene):
    domain = scene.domain
    a, b, c = scene.children
    domain.shred_subject(a, "test")
    scene.access(0, [b], ["child.name"])
    scene.catch_up()
    for child, count in ((b, 3), (c, 1)):
        report = scene.report(child)
        verdict = verify_report(report, report["verifier_key"])
        assert verdict.ok and verdict.params["count"] == count, verdict.text("en")
    result = verify(domain, scene.ledger.view)
    assert result.ok, result
    report = scene.report(a)  # the erased child's accesses are under the system key: still provable
    assert verify_report(report, report["verifier_key"]).ok


def test_the_chain_tables_hold_no_child_id_in_clear(scene, env):
    """The ledger's files (SQLite) or its tables' pages (PostgreSQL), read raw: the
    users' ids are there (the entries name who), no child's id in any form."""
    view = scene.ledger.view
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        raw = b"".join(postgres_pages(view.qualify(t), env["POSTGRES_DBNAME"]) for t in ("links", "heads", "maps"))
    else:
        raw = b"".join(p.read_bytes() for p in sorted(Path(env["BEKYMRING_DATA_DIR"]).rglob("ledger.sqlite*")))
    assert str(scene.users[0]).encode() in raw  # what is there is readable so
    for child in scene.children:
        for form in (str(child).encode(), child.hex.encode(), child.bytes):
            assert form not in raw
