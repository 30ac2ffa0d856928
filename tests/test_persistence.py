"""The stores themselves: the library's own recorder test cases on our SQLite
datastore, and the settings that make an acknowledged write durable."""

from __future__ import annotations

import tempfile
import uuid
from datetime import date
from pathlib import Path

import pytest

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    TrackingRecorderTestCase,
)
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.utils import Environment, get_topic, resolve_topic

from events.application import Bekymring
from events.kek import Kek
from events.storage.postgres_recorder import PostgresRecorder
from events.storage.sqlite_store import DurableSQLiteDatastore
from intranet import demo
from projections.directory import SQLiteDirectoryView
from tests.conftest import pg_connect, postgres_available, postgres_env, sqlite_env


class TestDurableSQLiteApplicationRecorder(ApplicationRecorderTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def create_recorder(self):
        env = Environment(
            "t",
            {
                "PERSISTENCE_MODULE": "events.storage.sqlite_store",
                "SQLITE_DBNAME": str(Path(self.tmp.name) / "events.sqlite"),
            },
        )
        return InfrastructureFactory.construct(env).application_recorder()

    # Throughput belongs in bench/, not in the test suite.
    test_performance = None
    test_concurrent_throughput = None


@pytest.mark.postgres
class TestPostgresRecorder(ApplicationRecorderTestCase):
    """The library's recorder tests on ours, which reads the log its own way
    (events/storage/postgres_recorder.py)."""

    def setUp(self) -> None:
        if not postgres_available():
            self.skipTest("PostgreSQL is not reachable")
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        with pg_connect(autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {self.schema}")
        self.factories: list[InfrastructureFactory] = []

    def tearDown(self) -> None:
        for factory in self.factories:
            factory.close()
        with pg_connect(autocommit=True) as c:
            c.execute(f"DROP SCHEMA {self.schema} CASCADE")

    def create_recorder(self):
        env = Environment("t", {**postgres_env(Path(), Kek.generate(), self.schema),
                                "APPLICATION_RECORDER_TOPIC": get_topic(PostgresRecorder)})
        self.factories.append(InfrastructureFactory.construct(env))
        recorder = self.factories[-1].application_recorder()
        assert type(recorder) is PostgresRecorder
        return recorder

    test_performance = None
    test_concurrent_throughput = None


class TestDirectoryViewAsATrackingRecorder(TrackingRecorderTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def create_recorder(self):
        datastore = DurableSQLiteDatastore(str(Path(self.tmp.name) / "view.sqlite"))
        view = SQLiteDirectoryView(datastore=datastore)
        view.create_table()
        return view


def test_sqlite_is_wal_with_full_sync(tmp_path, kek):
    domain = Bekymring(env=sqlite_env(tmp_path, kek))
    try:
        domain.register_unit("Fjordvik skole", "skole")
        with domain.recorder.datastore.transaction(commit=False) as c:
            c.execute("PRAGMA journal_mode")
            assert c.fetchone()[0] == "wal"
            c.execute("PRAGMA synchronous")
            assert c.fetchone()[0] == 2  # FULL: acknowledged means on disk
            c.execute("PRAGMA secure_delete")
            assert c.fetchone()[0] == 1
    finally:
        domain.close()
    assert (tmp_path / "bekymring.sqlite").exists()


def test_the_application_name_is_pinned(domain):
    # The name is in the tables and the tracking records; changing it orphans them.
    assert domain.name == "bekymring"


PROMISED_TOPICS = {
    "events.statistics:StatisticsRelease.Created",
    "events.statistics:CollaborationStatistics.Created",
    "events.audit:Access.Created",
    "events.audit:AnomalyReview.Created",
    "events.audit:AnomaliesReviewed.Created",
    "events.audit:BreakGlass.Created",
    "events.audit:SignInRequestRejected.Created",
    "events.audit:ErasureRequest.Created",
    "events.audit:ErasureRequest.Confirmed",
    "events.audit:ErasureRequest.Rejected",
    "events.retention:KeptLonger.Created",
    "events.retention:ErasureApproved.Created",
    "events.children:Child.Restricted",
    "events.children:Child.RestrictionLifted",
    "events.audit:SignIn.Created",
    "events.children:Child.Created",
    "events.children:Child.DetailsCorrected",
    "events.children:Child.GuardiansRecorded",
    "events.children:Child.MovedToUnit",
    "events.children:Child.MoveScheduled",
    "events.identity:IdentityClaim.Created",
    "events.identity:IdentityClaim.Claimed",
    "events.identity:IdentityClaim.Released",
    "events.directory:Unit.Closed",
    "events.directory:Unit.Created",
    "events.directory:Unit.Renamed",
    "events.directory:Unit.LocationSet",
    "events.directory:Municipality.Created",
    "events.directory:Municipality.Changed",
    "events.directory:User.Created",
    "events.directory:User.Deactivated",
    "events.directory:User.EmailSet",
    "events.notifications:Digest.Created",
    "events.directory:User.LanguageChosen",
    "events.directory:User.PasswordSet",
    "events.directory:User.Reactivated",
    "events.directory:User.PasskeyRegistered",
    "events.directory:User.PasskeyRemoved",
    "events.directory:User.PasskeyRenamed",
    "events.directory:User.PasskeyUsed",
    "events.directory:User.RecoveryCodeUsed",
    "events.directory:User.RoleAssigned",
    "events.directory:User.TotpEnrolled",
    "events.directory:User.TotpReset",
    "events.directory:User.TotpStepUsed",
    "events.erasure:Erasure.Created",
    "events.binder:BinderPage.Created",
    "events.wheel:WheelItem.Created",
    "events.wheel:WheelItem.Changed",
    "events.wheel:WheelItem.Removed",
    "events.binder:BinderPage.Edited",
    "events.binder:BinderPage.Published",
    "events.binder:BinderPage.Unpublished",
    "events.collaborations:Collaboration.Created",
    "events.collaborations:Collaboration.GoalAdded",
    "events.collaborations:Collaboration.MeasureAdded",
    "events.collaborations:Collaboration.MeasureEvaluated",
    "events.collaborations:Collaboration.Closed",
    "events.collaborations:Collaboration.HandoverProposed",
    "events.collaborations:Collaboration.HandoverAccepted",
    "events.collaborations:Collaboration.GroupMemberNamed",
    "events.collaborations:Collaboration.ContactChosen",
    "events.collaborations:Collaboration.PlanStatusChanged",
    "events.collaborations:Collaboration.MeetingPlanned",
    "events.collaborations:Collaboration.MeetingMinuted",
    "events.collaborations:Collaboration.MemberRemoved",
    "events.collaborations:Collaboration.MemberAdmitted",
    "events.collaborations:Collaboration.EntryShared",
    "events.collaborations:Collaboration.EntryUnshared",
    "events.collaborations:Collaboration.ConsentChanged",
    "events.transfers:Transfer.Created",
    "events.transfers:Transfer.DraftUpdated",
    "events.transfers:Transfer.ApprovalRecorded",
    "events.transfers:Transfer.Sent",
    "events.transfers:Transfer.Viewed",
    "events.transfers:Transfer.Accepted",
    "events.transfers:Transfer.Returned",
    "events.case_bank:CaseProposal.Created",
    "events.case_bank:CaseProposal.Returned",
    "events.case_bank:CaseProposal.Revised",
    "events.case_bank:CaseProposal.Published",
    "events.case_bank:CaseProposal.Withdrawn",
    "events.programme:UnitProgramme.Created",
    "events.programme:UnitProgramme.KeyPersonAppointed",
    "events.programme:UnitProgramme.KeyPersonEnded",
    "events.programme:UnitProgramme.TrainingRecorded",
    "events.programme:GuideReading.Created",
    "events.programme:GuideReading.Confirmed",
    "events.meetings:Meeting.Created",
    "events.meetings:Meeting.CaseAdded",
    "events.meetings:Meeting.GeneralIssueAdded",
    "events.meetings:Meeting.GeneralIssueMinuted",
    "events.meetings:Meeting.MinutesWritten",
    "events.meetings:Meeting.MinutesApproved",
    "events.meetings:Meeting.Cancelled",
    "events.meetings:MeetingCase.Created",
    "events.meetings:MeetingCase.AdviceMinuted",
    "events.meetings:MeetingCase.ReturnedToConcern",
    "events.series:Series.Created",
    "events.series:Series.MeetingPlanned",
    "events.series:Series.Changed",
    "events.series:Series.Ended",
    "events.concerns:Concern.AdviceReceived",
    "events.concerns:Concern.Created",
    "events.concerns:Concern.Closed",
    "events.concerns:Concern.EntryCorrected",
    "events.concerns:Concern.GuardianTalkCorrected",
    "events.concerns:Concern.GuardianTalkRecorded",
    "events.concerns:Concern.LevelSet",
    "events.concerns:Concern.MeasureAdded",
    "events.concerns:Concern.MeasureEvaluated",
    "events.concerns:Concern.ObservationLogged",
    "events.concerns:Concern.Reopened",
    "events.concerns:Concern.Shared",
    "events.concerns:Concern.StepMarked",
    "events.concerns:Concern.Unshared",
    "events.consents:Consent.Created",
    "events.consents:Consent.Withdrawn",
    "events.referral_commands:ConsentRegister.Created",
    "events.referral_commands:ConsentRegister.ConsentAdded",
    "events.referrals:Referral.Created",
    "events.referrals:Referral.Closed",
    "events.referrals:Referral.DraftUpdated",
    "events.referrals:Referral.FeedbackRecorded",
    "events.referrals:Referral.ReceiptConfirmed",
    "events.referrals:Referral.Sent",
}


def domain_event_topics() -> set[str]:
    """Every event class of every module in events/: a new module is found without being listed."""
    import importlib
    import pkgutil

    import events

    topics = set()
    modules = [importlib.import_module(f"events.{m.name}") for m in pkgutil.iter_modules(events.__path__)
               if not m.ispkg and m.name != "base"]  # base: the abstract records, never stored
    for module in modules:
        for aggregate in vars(module).values():
            if isinstance(aggregate, type) and issubclass(aggregate, Aggregate) and aggregate.__module__ == module.__name__:
                for value in vars(aggregate).values():
                    if isinstance(value, type) and issubclass(value, DomainEvent) and value.__name__ != "Event":
                        topics.add(get_topic(value))
    return topics


def test_stored_topics_are_the_ones_we_promise_to_keep():
    """Stored topics are forever: renaming or moving an event class needs the old
    topic registered as an alias (eventsourcing.utils.register_topic)."""
    assert domain_event_topics() == PROMISED_TOPICS


def test_every_stored_topic_resolves(domain):
    demo.load(domain)
    school = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Ada", "Berg", date(2016, 1, 1), school)
    domain.correct_child_details(child, "Ada", "Bergo", date(2016, 1, 1), "", "feil")
    domain.shred_subject(child, "test")
    topics = {n.topic for n in domain.recorder.select_notifications(1, 1000)}
    assert topics <= PROMISED_TOPICS
    assert {resolve_topic(t).__qualname__ for t in topics} >= {"Child.Created", "Erasure.Created"}


@pytest.mark.postgres
def test_our_postgres_recorder_reads_as_the_librarys_does(tmp_path, kek, pg_schema):
    from eventsourcing.postgres import PostgresApplicationRecorder

    from events.concerns import Concern

    app = Bekymring(env=postgres_env(tmp_path, kek, pg_schema))
    try:
        unit = app.register_unit("Fjordvik skole", "skole")
        child = app.register_child("Liv", "Strand", date(2015, 6, 1), unit)
        concern = app.open_concern(child, uuid.UUID(int=7), date(2026, 11, 2), "Kom uten matpakke.", "", ["neglect"], 1)
        record = app.get_concern(concern)
        for day in (3, 4, 5):
            record.log_observation(date(2026, 11, day), f"Observasjon {day}.", "", uuid.UUID(int=7))
        app.save(record)
        ours = app.recorder
        assert type(ours) is PostgresRecorder
        library = PostgresApplicationRecorder(ours.datastore, events_table_name=ours.events_table_name)
        for record in (unit, child, concern):
            for gt in (None, 0, 1, 3):
                for lte in (None, 2, 4):
                    for desc in (False, True):
                        for limit in (None, 1, 2):
                            options = {"gt": gt, "lte": lte, "desc": desc, "limit": limit}
                            assert ours.select_events(record, **options) == library.select_events(record, **options)
        assert len(ours.select_events(concern)) == 4
        last = app.position()
        for start in (None, 1, 2, last, last + 1):
            for inclusive in (True, False):
                for limit in (1, 3, 100):
                    for stop, topics in ((None, ()), (last - 1, ()), (None, [get_topic(Concern.ObservationLogged)])):
                        options = {"stop": stop, "topics": topics, "inclusive_of_start": inclusive}
                        assert ours.select_notifications(start, limit, **options) == \
                            library.select_notifications(start, limit, **options)
    finally:
        app.close()
