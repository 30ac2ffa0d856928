"""The tamper-evident ledger: RFC 9162 Merkle trees and C2SP checkpoints.

Throughput benchmark (not a test): python -m tests.test_ledger
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import random
import time
import uuid
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from events.ledger.checkpoints import (
    Checkpoint,
    CheckpointError,
    dump_checkpoints,
    key_id,
    load_checkpoints,
    parse_checkpoint,
    parse_verifier_key,
    read_checkpoints,
    sign_checkpoint,
    verifier_key,
    verify_checkpoint,
    write_checkpoints,
)
from events.ledger.tree import EMPTY_ROOT, MerkleLog, leaf_bytes, leaf_hash, node_hash, root_of, row_leaf_hash
from events.ledger.verification import verify_log

ORIGIN = "bekymring.example.kommune.no/log"
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test log key").digest())
PUB = KEY.public_key()
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"someone else").digest())


def hashes(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


# --------------------------------------------------------------------------
# Leaves and trees
# --------------------------------------------------------------------------


def test_rfc_6962_known_answers():
    # The test vectors of certificate-transparency's merkle tree tests.
    inputs = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        bytes(range(0x50, 0x58)),
        bytes(range(0x60, 0x70)),
    ]
    roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    leaves = [leaf_hash(d) for d in inputs]
    log = MerkleLog()
    assert log.root().hex() == roots[0] == EMPTY_ROOT.hex()
    for n, leaf in enumerate(leaves, start=1):
        log.append(leaf)
        assert log.root().hex() == roots[n]
        assert root_of(leaves[:n]).hex() == roots[n]


def test_hash_prefixes():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    a, b = hashes(2)
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()


def test_incremental_root_equals_reference_for_sizes_0_to_200():
    leaves = hashes(200)
    log = MerkleLog()
    assert log.root() == root_of([]) == hashlib.sha256(b"").digest()
    for n in range(1, 201):
        assert log.append(leaves[n - 1]) == n - 1
        assert log.size == n
        assert log.root() == root_of(leaves[:n]), n


def test_incremental_root_survives_save_and_resume():
    leaves = hashes(200)
    for cut in range(0, 201):
        log = MerkleLog()
        log.extend(leaves[:cut])
        saved = json.loads(json.dumps(log.state()))
        assert len(saved["frontier"]) == cut.bit_count()
        resumed = MerkleLog.from_state(saved)
        assert resumed.size == cut and resumed.root() == root_of(leaves[:cut])
        for n in range(cut, min(cut + 9, 200)):
            resumed.append(leaves[n])
            assert resumed.root() == root_of(leaves[: n + 1]), (cut, n)
    # One resume per append, all the way.
    log = MerkleLog()
    for n, leaf in enumerate(leaves, start=1):
        log = MerkleLog.from_state(json.loads(json.dumps(log.state())))
        log.append(leaf)
        assert log.root() == root_of(leaves[:n])


def test_corrupt_state_is_rejected():
    log = MerkleLog()
    log.extend(hashes(5))
    state = log.state()
    with pytest.raises(ValueError, match="frontier"):
        MerkleLog.from_state({**state, "size": 7})
    with pytest.raises(ValueError):
        MerkleLog.from_state({**state, "frontier": ["zz" * 32, state["frontier"][1]]})
    with pytest.raises(ValueError):
        MerkleLog.from_state({**state, "v": 2})
    with pytest.raises(ValueError):
        log.append(b"short")


def test_memory_stays_logarithmic():
    log = MerkleLog()
    leaf = leaf_hash(b"constant")
    append = log.append
    start = time.perf_counter()
    for _ in range(1_000_000):
        append(leaf)
    elapsed = time.perf_counter() - start
    state = log.state()
    assert log.size == 1_000_000
    assert len(state["frontier"]) == bin(1_000_000).count("1") <= 64
    assert len(json.dumps(state)) < 64 * 70
    assert elapsed < 30  # about a second on a laptop


def test_leaf_bytes_layout():
    oid = UUID("12345678-1234-5678-1234-567812345678")
    data = leaf_bytes(7, oid, 3, "t", b"\xff\x00")
    assert data == (
        b"\x01"
        + (7).to_bytes(8, "big")
        + b"\x01"
        + oid.bytes
        + (3).to_bytes(8, "big")
        + (1).to_bytes(4, "big")
        + b"t"
        + (2).to_bytes(8, "big")
        + b"\xff\x00"
    )
    assert row_leaf_hash(7, oid, 3, "t", b"\xff\x00") == leaf_hash(data)


def test_leaf_bytes_cannot_shift_bytes_between_fields():
    oid = uuid.uuid4()
    assert leaf_bytes(1, oid, 1, "ab", b"c") != leaf_bytes(1, oid, 1, "a", b"bc")
    assert leaf_bytes(12, oid, 3, "", b"") != leaf_bytes(1, oid, 23, "", b"")
    # A UUID and its canonical text are the same id; other text is not.
    assert leaf_bytes(1, oid, 1, "t", b"") == leaf_bytes(1, str(oid), 1, "t", b"")
    assert leaf_bytes(1, oid, 1, "t", b"") != leaf_bytes(1, str(oid).upper(), 1, "t", b"")
    assert row_leaf_hash(1, "not-a-uuid", 1, "t", memoryview(b"s")) == leaf_hash(
        leaf_bytes(1, "not-a-uuid", 1, "t", b"s")
    )
    for bad in (-1, 1 << 64):
        with pytest.raises(ValueError, match="notification_id"):
            leaf_bytes(bad, oid, 1, "t", b"")
        with pytest.raises(ValueError, match="originator_version"):
            row_leaf_hash(1, oid, bad, "t", b"")
    with pytest.raises(TypeError):
        leaf_bytes(1, oid, 1, "t", "not bytes")


def test_fast_leaf_hash_equals_the_specified_one():
    for row in make_rows(300, seed=3):
        assert row_leaf_hash(*row) == leaf_hash(leaf_bytes(*row))
        nid, oid, version, topic, state = row
        assert row_leaf_hash(nid, str(oid), version, topic, bytearray(state)) == leaf_hash(
            leaf_bytes(*row)
        )


# --------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------


def test_checkpoint_round_trip_in_c2sp_format():
    root = hashlib.sha256(b"root").digest()
    cp = sign_checkpoint(ORIGIN, 20852163, root, ORIGIN, KEY)
    text, sig_line = cp.note.split("\n\n")
    assert text + "\n" == f"{ORIGIN}\n20852163\n{base64.b64encode(root).decode()}\n"
    assert sig_line.startswith(f"\u2014 {ORIGIN} ") and sig_line.endswith("\n")
    raw = base64.b64decode(sig_line.rstrip("\n").split(" ")[2])
    pub = PUB.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert raw[:4] == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + pub).digest()[:4]
    assert raw[:4] == key_id(ORIGIN, PUB)
    PUB.verify(raw[4:], (text + "\n").encode())  # a plain Ed25519 signature of the text

    parsed = parse_checkpoint(cp.note)
    assert parsed == cp
    assert (parsed.origin, parsed.size, parsed.root) == (ORIGIN, 20852163, root)
    assert verify_checkpoint(parsed, ORIGIN, PUB)
    assert verify_checkpoint(parsed, ORIGIN, pub)  # raw public key bytes work too


def test_signature_fails_on_changed_size_root_or_origin():
    root = hashlib.sha256(b"root").digest()
    cp = sign_checkpoint(ORIGIN, 1000, root, ORIGIN, KEY)
    other_root = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    b64_root = base64.b64encode(root).decode()
    edits = [
        cp.note.replace("\n1000\n", "\n1001\n"),
        cp.note.replace("\n1000\n", "\n999\n"),
        cp.note.replace(b64_root, other_root),
        cp.note.replace(ORIGIN + "\n", "evil.example/log\n", 1),
    ]
    for note in edits:
        assert note != cp.note
        assert not verify_checkpoint(parse_checkpoint(note), ORIGIN, PUB)
    # Fields that disagree with the signed note are not trusted either.
    for changed in (
        dataclasses.replace(cp, size=1001),
        dataclasses.replace(cp, root=hashlib.sha256(b"other").digest()),
        dataclasses.replace(cp, origin="evil.example/log"),
    ):
        assert not verify_checkpoint(changed, ORIGIN, PUB)
    # Another key, or this key under another name.
    assert not verify_checkpoint(cp, ORIGIN, OTHER_KEY.public_key())
    assert not verify_checkpoint(cp, "another.example/key", PUB)
    forged = sign_checkpoint(ORIGIN, 1000, root, ORIGIN, OTHER_KEY)
    assert not verify_checkpoint(forged, ORIGIN, PUB)


def test_unknown_signatures_are_ignored_but_a_bad_one_by_the_key_rejects():
    root = hashlib.sha256(b"root").digest()
    cp = sign_checkpoint(ORIGIN, 5, root, ORIGIN, KEY)
    witness = sign_checkpoint(ORIGIN, 5, root, "witness.example", OTHER_KEY)
    cosigned = parse_checkpoint(cp.note + witness.note.split("\n\n")[1])
    assert verify_checkpoint(cosigned, ORIGIN, PUB)
    assert verify_checkpoint(cosigned, "witness.example", OTHER_KEY.public_key())
    sig_line = cp.note.split("\n\n")[1]
    raw = bytearray(base64.b64decode(sig_line.split(" ")[2]))
    raw[-1] ^= 1
    bad = cp.note.split("\n\n")[0] + f"\n\n\u2014 {ORIGIN} {base64.b64encode(raw).decode()}\n"
    assert not verify_checkpoint(parse_checkpoint(bad), ORIGIN, PUB)


@pytest.mark.parametrize(
    "note",
    [
        "",
        "o\n1\nAAAA\n",  # no signatures
        "o\n01\n" + base64.b64encode(bytes(32)).decode() + "\n\n\u2014 k AAAAAAAA\n",
        "o\n1\n" + base64.b64encode(bytes(31)).decode() + "\n\n\u2014 k AAAAAAAA\n",
        "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n- k AAAAAAAA\n",
        "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n\u2014 k !!!!\n",
        "o\x07\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n\u2014 k AAAAAAAA\n",
        "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n\u2014 k AAAAAAAA",
        "o\n\u0661\n" + base64.b64encode(bytes(32)).decode() + "\n\n\u2014 k AAAAAAAA\n",
    ],
)
def test_malformed_checkpoints_are_rejected(note):
    with pytest.raises(CheckpointError):
        parse_checkpoint(note)


def test_signing_rejects_bad_names_and_origins():
    root = bytes(32)
    for name in ("", "a b", "a+b"):
        with pytest.raises(CheckpointError):
            sign_checkpoint(ORIGIN, 1, root, name, KEY)
    for origin in ("", "a\nb"):
        with pytest.raises(CheckpointError):
            sign_checkpoint(origin, 1, root, ORIGIN, KEY)


def test_checkpoint_file_round_trip(tmp_path):
    cps = [sign_checkpoint(ORIGIN, n, leaf_hash(bytes([n])), ORIGIN, KEY) for n in range(4)]
    text = dump_checkpoints(cps)
    assert text == "\n".join(cp.note for cp in cps) + "\n"
    assert load_checkpoints(text) == cps
    assert load_checkpoints("") == []
    # Appending to the file is appending the note and a blank line.
    assert load_checkpoints(dump_checkpoints(cps[:2]) + cps[2].note + "\n") == cps[:3]
    path = tmp_path / "checkpoints.txt"
    write_checkpoints(path, cps)
    assert read_checkpoints(path) == cps
    with pytest.raises(CheckpointError, match="line"):
        load_checkpoints(text.replace("\u2014", "-", 1))


def test_verifier_key_round_trip():
    vkey = verifier_key(ORIGIN, PUB)
    assert vkey.startswith(ORIGIN + "+" + key_id(ORIGIN, PUB).hex() + "+")
    name, key = parse_verifier_key(vkey)
    assert name == ORIGIN and key.public_bytes(Encoding.Raw, PublicFormat.Raw) == PUB.public_bytes(
        Encoding.Raw, PublicFormat.Raw
    )
    with pytest.raises(CheckpointError):
        parse_verifier_key(vkey.replace(ORIGIN, "other.example", 1))


# --------------------------------------------------------------------------
# Verifying a whole log
# --------------------------------------------------------------------------

N_ROWS = 5000
EVERY = 1000


def make_rows(n: int = N_ROWS, seed: int = 1) -> list[tuple]:
    rnd = random.Random(seed)
    aggregates = [UUID(int=rnd.getrandbits(128), version=4) for _ in range(50)]
    versions: dict[UUID, int] = {}
    rows = []
    for nid in range(1, n + 1):
        oid = rnd.choice(aggregates)
        versions[oid] = versions.get(oid, 0) + 1
        topic = rnd.choice(["events.children:Child.Registered", "events.concerns:Concern.Filed"])
        rows.append((nid, oid, versions[oid], topic, rnd.randbytes(rnd.randint(40, 200))))
    return rows


def make_checkpoints(rows, every=EVERY, key=KEY, origin=ORIGIN) -> tuple[list[Checkpoint], dict]:
    log = MerkleLog()
    cps, leaves = [], {}
    for row in rows:
        h = row_leaf_hash(*row)
        leaves[row[0]] = h
        log.append(h)
        if log.size % every == 0:
            cps.append(sign_checkpoint(origin, log.size, log.root(), origin, key))
    return cps, leaves


@pytest.fixture(scope="module")
def intact():
    rows = make_rows()
    cps, leaves = make_checkpoints(rows)
    return rows, cps, leaves


def verify(rows, cps, **kw):
    return verify_log(iter(rows), cps, PUB, origin=ORIGIN, **kw)


def test_intact_log_verifies(intact):
    rows, cps, leaves = intact
    report = verify((r for r in rows), cps, expected_leaves=leaves.get)
    assert report.ok, report.problems
    assert report.problems == []
    assert report.size == N_ROWS and report.last_id == N_ROWS
    assert report.root == root_of(leaves[i] for i in range(1, N_ROWS + 1)) == cps[-1].root
    assert report.checkpoints_matched == [1000, 2000, 3000, 4000, 5000]
    assert "OK" in str(report)
    # Checkpoints in any order, from a file, and rows as Notification-like objects.
    shuffled = load_checkpoints(dump_checkpoints(cps[::-1]))
    Row = dataclasses.make_dataclass(
        "Row", ["id", "originator_id", "originator_version", "topic", "state"]
    )
    assert verify([Row(*r) for r in rows], shuffled).ok


def test_empty_log_and_size_zero_checkpoint():
    cp0 = sign_checkpoint(ORIGIN, 0, EMPTY_ROOT, ORIGIN, KEY)
    report = verify([], [cp0])
    assert report.ok and report.size == 0 and report.root == EMPTY_ROOT


def test_altered_state_byte_names_the_checkpoint_range(intact):
    rows, cps, leaves = intact
    rows = list(rows)
    nid, oid, version, topic, state = rows[1233]
    assert nid == 1234
    rows[1233] = (nid, oid, version, topic, bytes([state[0] ^ 1]) + state[1:])
    report = verify(rows, cps)
    assert not report.ok
    assert report.checkpoints_matched == [1000]
    assert report.problems[0] == (
        "checkpoint at size 2000 does not match the log: a row among positions "
        "1001..2000, ids 1001..2000 was altered, removed, inserted or reordered "
        "(the checkpoint at size 1000 matches)"
    )
    assert [p.split(" does not")[0] for p in report.problems] == [
        f"checkpoint at size {n}" for n in (2000, 3000, 4000, 5000)
    ]


def test_altered_state_byte_names_the_row_given_recorded_leaves(intact):
    rows, cps, leaves = intact
    rows = list(rows)
    nid, oid, version, topic, state = rows[1233]
    rows[1233] = (nid, oid, version, topic, state[:-1] + bytes([state[-1] ^ 0x80]))
    report = verify(rows, cps, expected_leaves=leaves.get)
    assert not report.ok
    assert report.problems[0] == "row 1234 altered: its leaf hash differs from the one recorded"
    assert [p for p in report.problems if p.startswith("row")] == [report.problems[0]]


@pytest.mark.parametrize("field_index, value", [(1, uuid.uuid4()), (2, 99), (3, "x:Y")])
def test_altered_metadata_is_detected(intact, field_index, value):
    rows, cps, leaves = intact
    rows = list(rows)
    row = list(rows[2999])
    row[field_index] = value
    rows[2999] = tuple(row)
    report = verify(rows, cps, expected_leaves=leaves.get)
    assert report.problems[0] == "row 3000 altered: its leaf hash differs from the one recorded"
    assert report.checkpoints_matched == [1000, 2000]


def test_deleted_row_is_named(intact):
    rows, cps, _ = intact
    rows = rows[:2499] + rows[2500:]  # delete id 2500
    report = verify(rows, cps)
    assert not report.ok
    assert "row 2500 is missing (ids jump from row 2499 to row 2501)" in report.problems
    assert report.checkpoints_matched == [1000, 2000]
    assert report.problems[0].startswith(
        "checkpoint at size 3000 does not match the log: a row among positions 2001..3000, "
        "ids 2001..3001"
    )
    # The log is now one row short of the last checkpoint.
    assert ("log truncated: checkpoint at size 5000 covers 5000 rows, but the log has only 4999 (last row id 5000); "
            "missing: row 2500") in report.problems
    assert report.gaps == [(2500, 2500)]


def test_deleted_first_rows_are_named(intact):
    rows, cps, _ = intact
    report = verify(rows[3:], cps)
    assert "rows 1..3 are missing (ids jump from the start to row 4)" in report.problems


def test_gaps_can_be_tolerated_when_the_checkpoints_cover_them():
    # PostgreSQL sequences skip ids on rollback: a gap the checkpoints were
    # made with is not tampering.
    rows = [r for r in make_rows(300) if r[0] not in (10, 11, 12, 200)]
    cps, _ = make_checkpoints(rows, every=100)
    report = verify(rows, cps, gaps_are_errors=False)
    assert report.ok, report.problems
    assert report.gaps == [(10, 12), (200, 200)]
    strict = verify(rows, cps)
    assert strict.problems == [
        "rows 10..12 are missing (ids jump from row 9 to row 13)",
        "row 200 is missing (ids jump from row 199 to row 201)",
    ]
    # Deleting a row after checkpointing is still caught by the checkpoints.
    deleted = [r for r in rows if r[0] != 150]
    report = verify(deleted, cps, gaps_are_errors=False)
    assert not report.ok
    assert report.problems[0].startswith("checkpoint at size 200 does not match the log")


def test_swapped_rows_are_out_of_order(intact):
    rows, cps, _ = intact
    rows = list(rows)
    rows[2000], rows[2001] = rows[2001], rows[2000]  # ids 2001 and 2002
    report = verify(rows, cps)
    assert not report.ok
    assert "row 2001 is out of order: it comes after row 2002" in report.problems
    assert not any("missing" in p for p in report.problems)
    assert report.checkpoints_matched == [1000, 2000]
    assert any(p.startswith("checkpoint at size 3000 does not match") for p in report.problems)


def test_swapped_row_contents_are_named_given_recorded_leaves(intact):
    rows, cps, leaves = intact
    rows = list(rows)
    a, b = rows[2000], rows[2001]
    rows[2000], rows[2001] = (a[0], *b[1:]), (b[0], *a[1:])  # ids stay in order
    report = verify(rows, cps, expected_leaves=leaves.get)
    assert report.problems[:2] == [
        "row 2001 altered: its leaf hash differs from the one recorded",
        "row 2002 altered: its leaf hash differs from the one recorded",
    ]
    assert report.checkpoints_matched == [1000, 2000]


def test_duplicated_row_is_named(intact):
    rows, cps, _ = intact
    rows = rows[:10] + [rows[5]] + rows[10:]
    report = verify(rows, cps)
    assert "row 6 appears more than once (again after row 10)" in report.problems


def test_truncated_log_is_detected(intact):
    rows, cps, _ = intact
    report = verify(rows[:4000], cps)
    assert not report.ok
    assert report.problems == [
        "log truncated: checkpoint at size 5000 covers 5000 rows, but the log has only 4000 "
        "(last row id 4000)"
    ]
    assert report.checkpoints_matched == [1000, 2000, 3000, 4000]
    assert report.size == 4000 and report.root == cps[3].root


def test_truncated_and_regrown_log_is_detected(intact):
    rows, cps, _ = intact
    regrown = rows[:4000] + make_rows(5000, seed=2)[4000:]
    report = verify(regrown, cps)
    assert report.checkpoints_matched == [1000, 2000, 3000, 4000]
    assert report.problems[0].startswith(
        "checkpoint at size 5000 does not match the log: a row among positions 4001..5000"
    )


def test_forged_checkpoint_is_reported(intact):
    rows, cps, _ = intact
    forged = sign_checkpoint(ORIGIN, 3000, cps[2].root, ORIGIN, OTHER_KEY)
    report = verify(rows, [*cps[:2], forged, *cps[3:]])
    assert not report.ok
    assert report.problems == [f"checkpoint at size 3000 is not signed by key {ORIGIN}"]
    assert report.checkpoints_matched == [1000, 2000, 4000, 5000]
    # A forged checkpoint for a rewritten history is reported, and ignored.
    tampered = list(rows)
    tampered[10] = (*tampered[10][:4], b"rewritten")
    fake_cps, _ = make_checkpoints(tampered, key=OTHER_KEY)
    report = verify(tampered, fake_cps)
    assert report.problems == [
        f"checkpoint at size {n} is not signed by key {ORIGIN}" for n in range(1000, 5001, 1000)
    ]


def test_checkpoint_with_bad_signature_is_reported(intact):
    rows, cps, _ = intact
    text, sig = cps[1].note.split("\n\n")
    raw = bytearray(base64.b64decode(sig.split(" ")[2]))
    raw[10] ^= 1
    broken = parse_checkpoint(f"{text}\n\n\u2014 {ORIGIN} {base64.b64encode(raw).decode()}\n")
    report = verify(rows, [cps[0], broken, *cps[2:]])
    assert report.problems == [f"checkpoint at size 2000 has an invalid signature by key {ORIGIN}"]


def test_checkpoint_from_another_origin_is_reported(intact):
    rows, cps, _ = intact
    foreign = sign_checkpoint("other-kommune.example/log", 2000, cps[1].root, ORIGIN, KEY)
    report = verify(rows, [*cps, foreign])
    assert report.problems == [
        f"checkpoint at size 2000 is for origin 'other-kommune.example/log', not '{ORIGIN}'"
    ]


def test_checkpoint_with_rewritten_root_is_reported(intact):
    # A checkpoint properly signed over a different root (e.g. a forked log).
    rows, cps, _ = intact
    fork = sign_checkpoint(ORIGIN, 2500, hashlib.sha256(b"fork").digest(), ORIGIN, KEY)
    report = verify(rows, [*cps, fork])
    assert report.problems == [
        "checkpoint at size 2500 does not match the log: a row among positions 2001..2500, "
        "ids 2001..2500 was altered, removed, inserted or reordered "
        "(the checkpoint at size 2000 matches)"
    ]


def test_verify_log_streams(intact):
    rows, cps, _ = intact
    consumed = []

    def stream():
        for row in rows:
            consumed.append(row[0])
            yield row

    report = verify_log(stream(), cps, PUB, origin=ORIGIN, key_name=ORIGIN)
    assert report.ok and consumed == list(range(1, N_ROWS + 1))


# --------------------------------------------------------------------------
# Throughput (python -m tests.test_ledger)
# --------------------------------------------------------------------------


def benchmark(n: int = 200_000, state_size: int = 1024) -> float:
    rnd = random.Random(0)
    blobs = [rnd.randbytes(state_size) for _ in range(64)]
    oids = [uuid.uuid4() for _ in range(1000)]
    topic = "events.concerns:Concern.Filed"
    rows = [(i, oids[i % 1000], i // 1000 + 1, topic, blobs[i % 64]) for i in range(1, n + 1)]
    log = MerkleLog()
    start = time.perf_counter()
    for row in rows:
        log.append(row_leaf_hash(*row))
    root = log.root()
    elapsed = time.perf_counter() - start
    rate = n / elapsed
    print(
        f"{n} rows of {state_size}-byte states: {elapsed:.2f} s, {rate:,.0f} rows/s "
        f"({rate * state_size / 1e6:,.0f} MB/s of state); root {root.hex()[:16]}..."
    )
    start = time.perf_counter()
    report = verify_log(rows, [], PUB, origin=ORIGIN)
    elapsed = time.perf_counter() - start
    print(f"verify_log over the same rows: {elapsed:.2f} s, {n / elapsed:,.0f} rows/s")
    assert report.root == root
    return rate


if __name__ == "__main__":
    benchmark()
