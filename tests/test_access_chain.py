"""The per-child access chain, the children's map and the report's reference
verifier (events/ledger/access_chain.py, report_check.py): pure code."""

from __future__ import annotations

import copy
import hashlib
import random
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.ledger.access_chain import (
    CHAIN_START, ChildrenMap, MapLeaf, b64, entry_bytes, extension_lines, inclusion_proof, map_commitment,
    map_leaf_hash, map_root, next_link, root_from_inclusion, unb64,
)
from events.ledger.checkpoints import parse_checkpoint, sign_checkpoint, verifier_key
from events.ledger.report_check import REPORT_FORMAT, verify_report
from events.ledger.tree import root_of

ORIGIN = "bekymring.test/log"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
VKEY = verifier_key(ORIGIN, KEY.public_key())


def entry(n: int) -> dict:
    return {"id": str(uuid.UUID(int=n)), "at": f"2026-11-{n % 28 + 1:02d}T10:00:00+00:00",
            "user": str(uuid.UUID(int=1000 + n)), "role": "ansatt", "unit": str(uuid.UUID(int=7)),
            "action": "view", "records": ["concern", "child.name"], "basis": "own_unit", "basis_ref": None}


def chain(entries: list[dict]) -> list[dict]:
    link, lines = CHAIN_START, []
    for e in entries:
        leaf = hashlib.sha256(e["id"].encode()).digest()
        new = next_link(link, leaf, e)
        lines.append({"entry": e, "leaf": b64(leaf), "previous": b64(link), "link": b64(new)})
        link = new
    return lines


def key(n: int) -> bytes:
    return hashlib.sha256(b"child%d" % n).digest()


def report(covered: int = 5, made: int = 5, others: int = 6, signer=KEY) -> dict:
    """A report of child 0 with `made` accesses, of which the checkpoint covers `covered`."""
    lines = chain([entry(n) for n in range(made)])
    head = lines[covered - 1]["link"] if covered else b64(CHAIN_START)
    leaves = [MapLeaf(key(0), covered, unb64(head))] + [
        MapLeaf(key(n), n, hashlib.sha256(b"head%d" % n).digest()) for n in range(1, others + 1)]
    root = map_root(leaves)
    cp = sign_checkpoint(ORIGIN, 99, hashlib.sha256(b"tree").digest(), ORIGIN, signer,
                         extension_lines(len(leaves), root, "2026-12-07T12:00:00Z"))
    index, proof = inclusion_proof(leaves, key(0))
    return {"format": REPORT_FORMAT, "checkpoint": cp.note, "child_key": b64(key(0)),
            "map": {"index": index, "size": len(leaves), "count": covered, "head": head,
                    "proof": [b64(p) for p in proof]},
            "accesses": lines}


def test_inclusion_proofs_lead_to_the_root_for_every_size_and_index():
    for size in range(1, 20):
        leaves = [MapLeaf(key(n), n, key(100 + n)) for n in range(size)]
        root = map_root(leaves)
        assert root == root_of(map_leaf_hash(leaf) for leaf in sorted(leaves, key=lambda x: x.key))
        for leaf in leaves:
            index, proof = inclusion_proof(leaves, leaf.key)
            assert root_from_inclusion(index, size, map_leaf_hash(leaf), proof) == root
            if size > 1:
                assert root_from_inclusion((index + 1) % size, size, map_leaf_hash(leaf), proof) != root
            assert root_from_inclusion(index, size, map_leaf_hash(leaf), proof + [root]) is None
            wrong = MapLeaf(leaf.key, leaf.count + 1, leaf.head)
            assert root_from_inclusion(index, size, map_leaf_hash(wrong), proof) != root


def test_the_kept_map_has_the_root_of_its_leaves_as_heads_move_and_children_arrive():
    """The map a ledger keeps between checkpoints against the definition, over
    every small size and a long random run of moved heads and new children."""
    rng = random.Random(9162)
    for size in range(0, 18):
        leaves = {key(n): MapLeaf(key(n), 1, key(100 + n)) for n in range(size)}
        kept = ChildrenMap(leaves.values())
        assert kept.root() == map_root(list(leaves.values())) and len(kept) == size
    kept, leaves = ChildrenMap(), {}
    for step in range(3000):
        n = rng.randrange(300) if rng.random() < 0.9 else rng.randrange(300, 10_000)
        count = leaves[key(n)].count + 1 if key(n) in leaves else 1
        leaves[key(n)] = MapLeaf(key(n), count, hashlib.sha256(b"%d:%d" % (n, step)).digest())
        kept.set(leaves[key(n)])
        if rng.random() < 0.05:
            assert kept.root() == map_root(list(leaves.values())), step
    assert kept.root() == map_root(list(leaves.values()))


def test_the_checkpoint_carries_the_map_under_its_signature():
    r = report()
    cp = parse_checkpoint(r["checkpoint"])
    commitment = map_commitment(cp.text)
    assert commitment.size == 7 and commitment.signed_at == "2026-12-07T12:00:00Z"
    plain = sign_checkpoint(ORIGIN, 1, hashlib.sha256(b"x").digest(), ORIGIN, KEY)
    assert map_commitment(plain.text) is None


def test_entry_bytes_are_fixed_lines_and_refuse_line_breaks():
    assert entry_bytes(entry(1)).decode().split("\n")[0] == "bekymring-access-v1"
    assert entry_bytes(entry(1)).decode().split("\n")[7] == "concern,child.name"
    with pytest.raises(ValueError):
        entry_bytes({**entry(1), "role": "a\nb"})


def test_a_whole_report_is_complete():
    verdict = verify_report(report(), VKEY)
    assert verdict.ok, verdict.text("en")
    assert "sjekkpunkt 99" in verdict.text() and "2026-12-07T12:00:00Z" in verdict.text()


def test_a_removed_line_is_named():
    r = report()
    del r["accesses"][2]
    verdict = verify_report(r, VKEY)
    assert (verdict.code, verdict.params["line"]) == ("removed", 3)


def test_an_altered_line_is_named():
    r = report()
    r["accesses"][1]["entry"]["role"] = "leder"
    verdict = verify_report(r, VKEY)
    assert (verdict.code, verdict.params["line"]) == ("altered", 2)


def test_an_access_after_the_checkpoint_is_not_covered():
    verdict = verify_report(report(covered=4, made=5), VKEY)
    assert (verdict.code, verdict.params["line"]) == ("not_covered", 5)


def test_lines_missing_at_the_end_make_it_incomplete():
    r = report()
    r["accesses"] = r["accesses"][:3]
    verdict = verify_report(r, VKEY)
    assert (verdict.code, verdict.params["missing"]) == ("incomplete", 2)


def test_another_key_or_a_forged_map_fails():
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    assert verify_report(report(signer=other), VKEY).code == "signature"
    r = report()
    r["map"]["count"] = 4
    assert verify_report(r, VKEY).code == "map"
    r = copy.deepcopy(report())
    r["format"] = "x"
    assert verify_report(r, VKEY).code == "format"
