"""Per-subject envelope encryption, on SQLite and PostgreSQL, checked on the raw store."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from events.application import Bekymring
from events.envelope import Tombstone
from events.errors import DomainError, IntegrityError, KeyConfigurationError, RecordErased
from events.kek import Kek, load_kek, write_kek_file
from events.storage.keystore import BATCH_SIZE, STORE_AHEAD_AT
from intranet import demo, demo_data
from projections.live import ProjectionRunner
from tests.conftest import pg_connect
from tests.factories import SECRETS, register_secret_child
from tests.rawstore import events_table, gone_after_vacuum, leaks, postgres_pages


def demo_secrets() -> list[str]:
    found = []
    for child in demo_data.CHILDREN:
        found += [child["first_name"], child["last_name"], child["national_id"]]
        for guardian in child["guardians"]:
            found += [guardian["name"], guardian.get("phone") or "", guardian.get("address") or ""]
    return sorted({s for s in found if len(s) >= 4})


def test_the_raw_store_holds_no_personal_data_in_clear(domain, env):
    # Sanity: the check finds a secret when one is there in clear.
    unit = domain.register_unit("Kontrollenhet Bjørkely", "skole")
    register_secret_child(domain, unit)
    demo.load(domain)
    runner = ProjectionRunner(domain)
    runner.catch_up()
    assert leaks(env, ["Kontrollenhet Bjørkely"]) == ["Kontrollenhet Bjørkely"]

    assert leaks(env, SECRETS) == []
    assert leaks(env, demo_secrets()) == []


def test_events_decrypt_back_to_what_was_recorded(domain):
    child_id = register_secret_child(domain)
    child = domain.get_child(child_id)
    assert child.name == "Sunnivalda Kvitrustad"
    assert child.birth_date == date(2021, 3, 4)
    assert child.guardians[0]["phone"] == "+47 412 98 765"


def _rows(env, domain):
    table = events_table(env)
    return table, [
        (n.id, n.originator_id, n.originator_version, bytes(n.state))
        for n in domain.recorder.select_notifications(1, 100)
    ]


def _set_state(env, table, originator_id, version, state):
    sql = f"UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?"
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        with pg_connect() as c:
            c.execute(sql.replace("?", "%s"), (state, originator_id, version))
    else:
        db = Path(env["BEKYMRING_DATA_DIR"]) / "bekymring.sqlite"
        with sqlite3.connect(db) as c:
            c.execute(sql, (state, originator_id.hex, version))


def test_a_ciphertext_moved_to_another_row_is_detected(domain, env):
    a = register_secret_child(domain)
    b = domain.register_child("Other", "Child", date(2020, 1, 1), domain.get_child(a).unit_id)
    table, rows = _rows(env, domain)
    state_a = next(r[3] for r in rows if r[1] == a and r[2] == 1)
    _set_state(env, table, b, 1, state_a)
    fresh = Bekymring(env=env)
    try:
        with pytest.raises(IntegrityError, match="altered or moved"):
            fresh.get_child(b)
        assert fresh.get_child(a).first_name == "Sunnivalda"
    finally:
        fresh.close()


def test_an_altered_ciphertext_is_detected(domain, env):
    a = register_secret_child(domain)
    table, rows = _rows(env, domain)
    state = bytearray(next(r[3] for r in rows if r[1] == a))
    state[-1] ^= 1
    _set_state(env, table, a, 1, bytes(state))
    fresh = Bekymring(env=env)
    try:
        with pytest.raises(IntegrityError):
            fresh.get_child(a)
    finally:
        fresh.close()


def test_shredding_turns_one_childs_events_into_tombstones(domain):
    gone = register_secret_child(domain)
    unit = domain.get_child(gone).unit_id
    domain.record_guardians(gone, [], "foresatte flyttet")
    kept = domain.register_child("Kari", "Beholdt", date(2020, 5, 5), unit)
    runner = ProjectionRunner(domain)
    runner.catch_up()
    directory = runner["directory"]
    assert sorted(directory.view.children_in_unit(unit)) == sorted([gone, kept])

    domain.shred_subject(gone, "slettet etter oppbevaringstid")
    runner.catch_up()

    with pytest.raises(RecordErased):
        domain.get_child(gone)
    assert domain.get_child(kept).last_name == "Beholdt"
    read = [domain.mapper.to_domain_event(n) for n in domain.recorder.select_notifications(1, 100)]
    tombstones = [e for e in read if isinstance(e, Tombstone)]
    assert {t.originator_id for t in tombstones} == {gone}
    assert [t.originator_version for t in tombstones] == [1, 2]
    # The read model purged the derived rows; nothing can be written about the child.
    assert directory.view.children_in_unit(unit) == [kept]
    assert directory.view.child_ids_by_token(domain.blind_index("kvitrustad")) == []
    with pytest.raises(RecordErased):
        domain.move_child(gone, unit)
    # Shredding twice is harmless.
    domain.shred_subject(gone, "igjen")
    assert domain.is_erased(gone)
    # No ready cipher keeps the destroyed key in memory.
    assert domain.keystore.cipher(gone) is None and gone not in domain.keystore._ciphers
    assert domain.keystore.cipher(kept) is not None


def test_a_shredded_key_leaves_no_copy_in_the_key_store_files(domain, env):
    """The wrapped key must be gone from the key store's files, not only from the
    table: whoever holds the files and the KEK (a backup and the key file) could
    otherwise unwrap it and read the erased child's events. SQLite: keys.sqlite
    and its WAL. PostgreSQL: the table's pages (a dead row version stays there
    until VACUUM; the server's WAL segments are not read here: README, "Erasure")."""
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    gone = register_secret_child(domain, unit)
    kept = domain.register_child("Kari", "Beholdt", date(2020, 5, 5), unit)
    select = "SELECT wrapped FROM {} WHERE key_id = {}"
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        table = f'{env["POSTGRES_SCHEMA"]}.data_keys'

        def wrapped(child_id: UUID) -> bytes:
            with pg_connect() as c:
                return bytes(c.execute(select.format(table, "%s"), (str(child_id),)).fetchone()[0])

        def raw() -> bytes:
            return postgres_pages(table)
    else:
        files = [Path(env["BEKYMRING_DATA_DIR"]) / n for n in ("keys.sqlite", "keys.sqlite-wal")]

        def wrapped(child_id: UUID) -> bytes:
            with sqlite3.connect(files[0]) as c:
                return c.execute(select.format("data_keys", "?"), (str(child_id),)).fetchone()[0]

        def raw() -> bytes:
            return b"".join(f.read_bytes() for f in files if f.exists())

    gone_key, kept_key = wrapped(gone), wrapped(kept)
    assert gone_key in raw() and kept_key in raw()  # the search finds a key that is there
    domain.shred_subject(gone, "slettet etter oppbevaringstid")
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        assert gone_after_vacuum(lambda: gone_key not in raw(), lambda: domain.shred_subject(gone, "igjen"))
    assert gone_key not in raw()
    assert kept_key in raw() and domain.get_child(kept).last_name == "Beholdt"


def test_preloading_reads_keys_in_bulk_and_keeps_shredded_ones_shredded(domain, env, monkeypatch):
    import events.storage.keystore

    unit = domain.register_unit("Fjordvik skole", "skole")
    children = [domain.register_child(f"Barn{i}", "Nøkkel", date(2015, 6, 1), unit) for i in range(5)]
    domain.shred_subject(children[0], "slettet etter oppbevaringstid")
    states = [n.state for n in domain.recorder.select_notifications(1, 1000)]
    monkeypatch.setattr(events.storage.keystore, "PRELOAD_CHUNK", 2)  # several statements
    fresh = Bekymring(env=env)  # an empty cache, as a rebuild starts with
    try:
        fresh.mapper.preload_keys([*states, b"no header"])
        keystore = fresh.keystore
        # Spoil the stored keys: from now on only what preloading cached can open them.
        with keystore.datastore.transaction(commit=True) as c:
            c.execute(keystore._sql("UPDATE {table} SET wrapped = ? WHERE wrapped IS NOT NULL"), (b"spoilt" * 8,))
        assert keystore.data_key(children[0]) is None  # shredded before: still shredded
        for child in children[1:]:
            assert keystore.data_key(child) == domain.keystore.data_key(child)
        assert fresh.get_child(children[1]).first_name == "Barn1"
        never = UUID(bytes=b"\xff" * 16)
        fresh.mapper.preload_keys([b"\x01" + never.bytes + bytes(40)])  # a key never stored: missing when used
        with pytest.raises(IntegrityError, match="no data key"):
            keystore.data_key(never)
    finally:
        fresh.close()


def test_uuids_decode_to_the_same_values_as_the_librarys_parser():
    from uuid import UUID, uuid4

    from events.envelope import UUIDAsHex

    transcoding = UUIDAsHex()
    for value in (uuid4(), UUID(int=0), UUID(int=2**128 - 1)):
        decoded = transcoding.decode(transcoding.encode(value))
        assert type(decoded) is UUID
        assert (decoded, hash(decoded), str(decoded), decoded.version) == (value, hash(value), str(value), value.version)
    for bad in ("", "abc", "0x" + "0" * 30, "g" * 32, "-" + "1" * 31, "1_" * 16, "00 " * 10 + "00"):
        with pytest.raises(ValueError):
            transcoding.decode(bad)


def test_kek_rotation_rewraps_the_keys_and_never_touches_events(domain, env, tmp_path):
    child_id = register_secret_child(domain)
    before = [bytes(n.state) for n in domain.recorder.select_notifications(1, 100)]
    new_kek = Kek.generate()
    assert domain.keystore.rewrap(new_kek) >= 2  # the system key and the child's key
    after = [bytes(n.state) for n in domain.recorder.select_notifications(1, 100)]
    assert before == after
    assert domain.keystore.kek_ids() == {new_kek.id}

    old = Bekymring(env=env)
    try:
        with pytest.raises(KeyConfigurationError, match="does not open"):
            old.get_child(child_id)
    finally:
        old.close()
    rotated = Bekymring(env={**env, "BEKYMRING_KEK": new_kek.encode()})
    try:
        assert rotated.get_child(child_id).last_name == "Kvitrustad"
    finally:
        rotated.close()


def test_outside_demo_mode_the_app_refuses_to_start_without_a_kek(tmp_path):
    env = {"BEKYMRING_DATA_DIR": str(tmp_path), "BEKYMRING_DEMO": "0", "PERSISTENCE_MODULE": "events.storage.sqlite_store"}
    with pytest.raises(KeyConfigurationError, match="No key-encryption key"):
        Bekymring(env=env)
    assert not (tmp_path / "dev-kek.key").exists()


def test_demo_mode_generates_a_private_dev_key(tmp_path):
    kek = load_kek({}, tmp_path, demo=True)
    path = tmp_path / "dev-kek.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_kek({}, tmp_path, demo=True) == kek


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "kek.key"
    write_kek_file(path, Kek.generate())
    path.chmod(0o644)
    with pytest.raises(KeyConfigurationError, match="chmod 600"):
        load_kek({"BEKYMRING_KEK_FILE": str(path)}, tmp_path, demo=False)


def test_a_malformed_kek_is_refused(tmp_path):
    with pytest.raises(KeyConfigurationError, match="32 random bytes"):
        load_kek({"BEKYMRING_KEK": "too-short"}, tmp_path, demo=False)


def _stored_key_ids(domain) -> set[str]:
    with domain.keystore.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT key_id FROM {domain.keystore.table}")
        return {row["key_id"] for row in c.fetchall()}


def test_a_new_childs_key_is_stored_when_the_registration_returns(domain, env):
    """Keys for new children are stored ahead, in batches: a registered child's key
    is in the key table, not only in the registering process's memory."""
    child_id = register_secret_child(domain)
    other = Bekymring(env=env)  # another process: no cached keys, nothing pending
    try:
        assert other.get_child(child_id).last_name == "Kvitrustad"
    finally:
        other.close()


def test_no_child_is_registered_when_its_key_cannot_be_stored(domain, monkeypatch):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    before = domain.position()

    def refuse(count):
        raise OSError("disk full")

    monkeypatch.setattr(domain.keystore, "_store_new_keys", refuse)
    with pytest.raises(OSError):
        domain.register_child("Ada", "Berg", date(2019, 1, 1), unit)
    assert domain.position() == before


def _store_calls(domain, monkeypatch, ahead=None) -> list[str]:
    """Which threads store a batch of new keys; `ahead(n)`, if given, runs in
    the ahead thread before its n-th batch (it may raise, or wait)."""
    calls: list[str] = []
    store = domain.keystore._store_new_keys

    def recorded(count):
        name = threading.current_thread().name
        calls.append(name)
        if ahead and name == "keys-ahead":
            ahead(calls.count(name))
        return store(count)

    monkeypatch.setattr(domain.keystore, "_store_new_keys", recorded)
    return calls


def _wait_for_keys_ahead(domain) -> None:
    ahead = domain.keystore._storing_ahead
    if ahead is not None:
        ahead.join(timeout=30)


def test_the_next_batch_of_keys_is_stored_ahead_in_a_thread(domain, env, monkeypatch):
    # Only the first registration stores a batch itself; when STORE_AHEAD_AT are
    # left, the next batch is stored in a thread, and the registrations after it
    # take their keys from that batch.
    calls = _store_calls(domain, monkeypatch)
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    first_batch = BATCH_SIZE - STORE_AHEAD_AT + 1
    children = [domain.register_child("Ada", "Berg", date(2019, 1, 1), unit) for _ in range(first_batch)]
    _wait_for_keys_ahead(domain)
    children += [domain.register_child("Bo", "Berg", date(2019, 1, 1), unit) for _ in range(30)]
    assert calls == ["MainThread", "keys-ahead"]
    other = Bekymring(env=env)  # every child's key is stored, not only held here
    try:
        assert {other.get_child(c).last_name for c in children} == {"Berg"}
    finally:
        other.close()


def test_a_batch_of_keys_that_cannot_be_stored_ahead_is_stored_by_a_registration(domain, env, monkeypatch, caplog):
    def fail_once(n):
        if n == 1:
            raise OSError("disk full")

    calls = _store_calls(domain, monkeypatch, ahead=fail_once)
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    children = []
    for _ in range(BATCH_SIZE + 5):
        children.append(domain.register_child("Ada", "Berg", date(2019, 1, 1), unit))
        _wait_for_keys_ahead(domain)
    # The thread's first batch failed (logged); the next registration started it
    # again, and its batch served the registrations past the first 64: none of
    # them stored a batch itself.
    assert calls == ["MainThread", "keys-ahead", "keys-ahead"]
    assert "could not be stored ahead" in caplog.text
    other = Bekymring(env=env)
    try:
        assert len({other.get_child(c).id for c in children}) == BATCH_SIZE + 5
    finally:
        other.close()


def test_a_registration_stores_the_keys_itself_when_none_are_left(domain, monkeypatch):
    calls = _store_calls(domain, monkeypatch, ahead=lambda n: time.sleep(1))  # a slow disk
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    for _ in range(BATCH_SIZE + 1):  # the thread's batch comes too late for the 65th
        domain.register_child("Ada", "Berg", date(2019, 1, 1), unit)
    assert calls == ["MainThread", "keys-ahead", "MainThread"]


def test_a_thread_that_cannot_start_leaves_the_registrations_working(domain, env, monkeypatch):
    start = threading.Thread.start

    def refuse(thread):
        if thread.name == "keys-ahead":
            raise RuntimeError("can't start new thread")
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    system_keys = _stored_key_ids(domain)
    children = [domain.register_child("Ada", "Berg", date(2019, 1, 1), unit) for _ in range(BATCH_SIZE + 1)]
    domain.close()  # and closing still deletes the keys no child was given
    reopened = Bekymring(env=env)
    try:
        assert _stored_key_ids(reopened) == system_keys | {str(c) for c in children}
    finally:
        reopened.close()


def test_closing_waits_for_the_keys_being_stored_ahead_and_deletes_them(domain, env, monkeypatch, caplog):
    _store_calls(domain, monkeypatch, ahead=lambda n: time.sleep(0.3))  # still storing at close
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    system_keys = _stored_key_ids(domain)
    children = [domain.register_child("Ada", "Berg", date(2019, 1, 1), unit)
                for _ in range(BATCH_SIZE - STORE_AHEAD_AT + 1)]
    storing = domain.keystore._storing_ahead
    assert storing is not None
    domain.close()
    assert not storing.is_alive()  # its batch was stored before the store closed, then deleted
    assert "could not be stored ahead" not in caplog.text
    reopened = Bekymring(env=env)
    try:
        assert _stored_key_ids(reopened) == system_keys | {str(c) for c in children}
    finally:
        reopened.close()


def test_closing_deletes_only_the_keys_no_child_was_given(domain, env):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    system_keys = _stored_key_ids(domain)
    first = domain.register_child("Ada", "Berg", date(2019, 1, 1), unit)
    with pytest.raises(DomainError):  # invalid: its id goes back to the unused keys
        domain.register_child("", "Berg", date(2019, 1, 1), unit)
    second = domain.register_child("Bo", "Berg", date(2019, 1, 1), unit)
    domain.close()

    reopened = Bekymring(env=env)
    try:
        assert _stored_key_ids(reopened) == system_keys | {str(first), str(second)}
        assert reopened.get_child(first).first_name == "Ada"
        assert reopened.get_child(second).first_name == "Bo"
    finally:
        reopened.close()
