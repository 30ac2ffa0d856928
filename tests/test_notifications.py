"""Notifications without content: each member of a collaboration sees what waits
for her (a handover proposed to her, evaluations due, meetings coming, the
consent running out), read from the read model and judged by the policy; and,
if she asks for it, a daily e-mail through the municipality's SMTP server
(a real one on loopback here: aiosmtpd) that says how many, with a link, and
never a word about the child."""

from __future__ import annotations

import re

import asyncio
import socket
import ssl
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from events import clock
from events.base import acting_as
from events.errors import DomainError
from events.policy import Principal
from intranet.notification_mail import send_digests
from intranet.notifications import waiting
from intranet.settings import SettingsError, SmtpSettings, smtp_from
from projections.live import ProjectionRunner
from tests.factories import SECRETS
from tests.rawstore import leaks
from tests import test_collaborations
from tests.test_collaborations import MEASURE, open_one, set_level

case = test_collaborations.case  # the fixture: a child's level-2 concern, the units, the consent
TODAY = clock.today()
NURSE_EMAIL = "sunniva.dahl@fjordvik.kommune.no"
URL = "https://bekymring.fjordvik.kommune.no"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server on loopback received."""

    def __init__(self):
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on loopback, in a thread of its own, with its own event loop (closed after)."""

    def __init__(self, port: int, inbox: Inbox | None = None, **options):
        self.inbox = inbox or Inbox()
        self.port, self.options = port, options

    def __enter__(self) -> Inbox:
        self.loop = asyncio.new_event_loop()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, loop=self.loop,
                                     **self.options)
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc) -> None:
        self.controller.stop()
        self.loop.close()


def smtp_settings(port: int, **more) -> SmtpSettings:
    return SmtpSettings(**{"host": "127.0.0.1", "port": port, "security": "none",
                           "sender": "bekymring@fjordvik.kommune.no", "public_url": URL, **more})


def municipal_ca(directory) -> tuple[str, ssl.SSLContext]:
    """A CA of the municipality's own (its certificate in a PEM file) and the SMTP
    server's TLS context, with a certificate for 127.0.0.1 that CA signed."""
    from datetime import datetime, timezone
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def certificate(subject, issuer, key, signer, ca: bool):
        now = datetime.now(timezone.utc)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False,
                decipher_only=False), critical=True)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
                                            critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fjordvik kommune CA")])
    ca_cert = certificate(ca_name, ca_name, ca_key, ca_key, True)
    server_cert = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.fjordvik.kommune.no")]),
                              ca_name, server_key, ca_key, False)
    pem = lambda cert: cert.public_bytes(serialization.Encoding.PEM)  # noqa: E731
    (directory / "ca.pem").write_bytes(pem(ca_cert))
    (directory / "server.pem").write_bytes(pem(server_cert))
    (directory / "server.key").write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem", directory / "server.key")
    return str(directory / "ca.pem"), context


@pytest.fixture
def runner(case):
    runner = ProjectionRunner(case["domain"])
    yield runner


def caught_up(runner) -> ProjectionRunner:
    runner.catch_up()
    return runner


def items_for(runner, principal, today=TODAY) -> list[dict]:
    caught_up(runner)
    return waiting(runner["notifications"].view, runner["concerns"].view, principal, today)


def a_collaboration_with_work_waiting(case):
    """Open with helsestasjon and PPT (the nurse coordinates): a measure to evaluate in
    five days, another in three weeks, and the coordinator role proposed to PPT's adviser."""
    domain = case["domain"]
    set_level(case, 2)
    collaboration_id = open_one(case)
    adviser = domain.register_user("pptr", "Reidar Lunde", "PP-rådgiver", "staff", case["ppt"], None, "h")
    with acting_as(case["nurse"]):
        domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=5), case["nurse"])
        domain.add_collaboration_measure(collaboration_id, "Samtaler med PPT", "ppt", "Reidar Lunde", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=21), case["nurse"])
        domain.propose_coordinator(collaboration_id, adviser, case["nurse"])
    return collaboration_id, adviser


def kinds(items) -> list[tuple[str, object]]:
    return sorted((i["kind"], i.get("no")) for i in items)


# -- what waits, from the read model, by the policy ----------------------------------------------
def test_each_member_sees_what_waits_for_her(case, runner):
    domain = case["domain"]
    collaboration_id, adviser = a_collaboration_with_work_waiting(case)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    ppt = Principal(adviser, "staff", case["ppt"], None)
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    stranger = Principal(uuid4(), "staff", domain.register_unit("Fjordvik skole", "skole"), None)
    # The evaluation within a week; the handover only for the one it is proposed to.
    assert kinds(items_for(runner, nurse)) == [("evaluation", 1)]
    assert kinds(items_for(runner, ppt)) == [("evaluation", 1), ("handover", None)]
    assert kinds(items_for(runner, leader)) == [("evaluation", 1)]
    assert items_for(runner, stranger) == []
    handover, item = items_for(runner, ppt)  # soonest first: the handover waits since today
    assert handover["kind"] == "handover" and handover["due"] == TODAY
    assert item["collaboration_id"] == str(collaboration_id) and item["unit_id"] == str(case["kindergarten"])
    assert item["due"] == TODAY + timedelta(days=5) and "child_id" not in item
    # Two weeks on: the second measure is due too, and evaluating the first moves its date.
    later = TODAY + timedelta(days=15)
    assert kinds(items_for(runner, nurse, later)) == [("evaluation", 1), ("evaluation", 2)]
    with acting_as(case["nurse"]):
        domain.evaluate_collaboration_measure(collaboration_id, 1, TODAY, "Samtalene hjelper", "", "", "continue",
                                              TODAY + timedelta(days=40), case["nurse"])
    assert kinds(items_for(runner, nurse, later)) == [("evaluation", 2)]
    # Accepted: no handover waits any more.
    with acting_as(adviser):
        domain.accept_coordinator(collaboration_id, adviser)
    assert kinds(items_for(runner, ppt)) == []


def test_a_consent_running_out_within_30_days_and_a_withdrawal(case, runner):
    from tests.factories import give_consent

    domain = case["domain"]
    set_level(case, 2)
    case["consent"] = give_consent(domain, case["child"], ["helsestasjon", "ppt"], days=20,
                                   information=["observations", "action_plan"])
    open_one(case)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    ppt_staff = Principal(uuid4(), "staff", case["ppt"], None)
    (item,) = items_for(runner, nurse)
    assert item["kind"] == "consent" and item["due"] == TODAY + timedelta(days=20)
    assert [i["kind"] for i in items_for(runner, ppt_staff)] == ["consent"]
    # Withdrawn for helsestasjonen: the policy takes the collaboration off her list at once.
    domain.withdraw_consent(case["consent"], ["helsestasjon"], "Mor ringte", TODAY, uuid4())
    assert items_for(runner, nurse) == []
    assert [i["kind"] for i in items_for(runner, ppt_staff)] == ["consent"]


def test_closed_and_restricted_collaborations_wait_for_no_one(case, runner):
    domain = case["domain"]
    collaboration_id, _adviser = a_collaboration_with_work_waiting(case)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    domain.restrict_child(case["child"], "Sperret etter krav fra barnevernet")
    assert items_for(runner, nurse) == []
    domain.lift_restriction(case["child"], "Opphevet")
    assert items_for(runner, nurse) != []
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Bra", case["leader"])
    assert items_for(runner, nurse) == []


def test_ansvarsgruppe_meetings_and_a_service_taken_out_through_the_read_models_hooks(case, runner):
    """The meetings' events come with the ansvarsgruppe, taking a service out with the
    plan (#29 items 4, 5); their handlers call `meeting_planned`, `meeting_held` and
    `member_removed`, which this drives directly."""
    set_level(case, 2)
    collaboration_id = open_one(case)
    projection = caught_up(runner)["notifications"]
    with projection.view.transaction(commit=True) as c:
        projection.meeting_planned(c, collaboration_id, TODAY + timedelta(days=10))
        projection.meeting_planned(c, collaboration_id, TODAY + timedelta(days=40))
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    (item,) = items_for(runner, nurse)
    assert item["kind"] == "meeting" and item["due"] == TODAY + timedelta(days=10)
    assert item["key"] == f"meeting:{collaboration_id}:1:{TODAY + timedelta(days=10)}"
    with projection.view.transaction(commit=True) as c:
        projection.meeting_held(c, collaboration_id, 1)
    assert items_for(runner, nurse) == []
    with projection.view.transaction(commit=True) as c:
        projection.meeting_planned(c, collaboration_id, TODAY + timedelta(days=3))
    assert [i["key"] for i in items_for(runner, nurse)] == [f"meeting:{collaboration_id}:3:{TODAY + timedelta(days=3)}"]
    with projection.view.transaction(commit=True) as c:
        projection.member_removed(c, collaboration_id, "helsestasjon", case["health"], TODAY)
    members = runner["notifications"].view.waiting_candidates(
        case["nurse"], case["health"], None, TODAY, TODAY, TODAY + timedelta(days=14), 10)[0][0].members
    assert {m["service"]: m.get("removed_on") for m in members} == {"helsestasjon": TODAY, "ppt": None}


def test_a_service_taken_out_is_told_nothing_more(case, runner):
    """Taken out through the domain: its staff's waiting work goes, and a handover
    proposed to one of them lapses with it."""
    domain = case["domain"]
    collaboration_id, adviser = a_collaboration_with_work_waiting(case)  # proposed to PPT's adviser
    ppt = Principal(adviser, "staff", case["ppt"], None)
    assert items_for(caught_up(runner), ppt) != []
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], "Foreldrene ønsket det",
                                           case["leader"])
    assert items_for(caught_up(runner), ppt) == []
    view = runner["notifications"].view
    assert [r["proposed_to"] for r in view.fetchall("SELECT proposed_to FROM {collaborations}")] == [None]


def test_every_event_that_changes_who_or_when_is_read_by_the_read_model():
    """The policy judges the read model's rows as it judges the records: an event
    that changes a collaboration's members, coordinator, status, dates or its
    consent must be applied here too, or a service removed could still be told of
    it. A new event class fails this until it is handled or named as not needed."""
    from eventsourcing.domain import DomainEvent

    from events.collaborations import Collaboration
    from events.consents import Consent
    from projections.notifications import NotificationProjection

    # A goal's text, the plan's status, the group's named people and the contact person change
    # no one's notifications.
    not_needed = {Collaboration.GoalAdded, Collaboration.PlanStatusChanged, Collaboration.GroupMemberNamed,
                  Collaboration.ContactChosen, Collaboration.EntryShared, Collaboration.EntryUnshared}
    handled = set(NotificationProjection.__dict__["process"].dispatcher.registry)
    for aggregate in (Collaboration, Consent):
        events = {v for v in vars(aggregate).values()
                  if isinstance(v, type) and issubclass(v, DomainEvent) and v.__name__ != "Event"}
        assert events - handled - not_needed == set(), aggregate.__name__


def test_the_read_model_holds_no_name_or_address(case, runner, env):
    a_collaboration_with_work_waiting(case)
    case["domain"].set_email(case["nurse"], NURSE_EMAIL, True)
    caught_up(runner)
    assert runner["notifications"].view.wants_email(0, 10) == [case["nurse"]]
    assert leaks(env, [*SECRETS, NURSE_EMAIL, "Sunniva Dahl", MEASURE]) == []


def test_an_erased_childs_collaborations_leave_the_read_model(case, runner):
    a_collaboration_with_work_waiting(case)
    view = caught_up(runner)["notifications"].view
    assert view.fetchall("SELECT id FROM {collaborations} WHERE child_id = ?", (str(case["child"]),)) != []
    case["domain"].shred_subject(case["child"], "Sletting godkjent")
    caught_up(runner)
    for table in ("collaborations", "consents"):
        assert view.fetchall(f"SELECT id FROM {{{table}}} WHERE child_id = ?", (str(case["child"]),)) == []
    for table in ("members", "measures", "withdrawals"):
        assert view.fetchall(f"SELECT * FROM {{{table}}}") == []


# -- the user's e-mail address and choice ----------------------------------------------------------
def test_the_address_is_checked_and_needed_for_e_mail(case):
    domain = case["domain"]
    for address, notifications, code in [("ikke en adresse", False, "account.email_invalid"),
                                         ("a@b.no\nBcc: x@y.no", True, "account.email_invalid"),
                                         ("", True, "account.email_required")]:
        with pytest.raises(DomainError) as refused:
            domain.set_email(case["nurse"], address, notifications)
        assert refused.value.code == code
    domain.set_email(case["nurse"], NURSE_EMAIL, False)
    user = domain.get_user(case["nurse"])
    assert user.email == NURSE_EMAIL and not user.email_notifications


# -- the daily digest by e-mail ------------------------------------------------------------------
def test_the_digest_says_how_many_with_a_link_and_nothing_about_the_child(case, runner, env):
    domain = case["domain"]
    collaboration_id, adviser = a_collaboration_with_work_waiting(case)
    domain.set_email(case["nurse"], NURSE_EMAIL, True)
    domain.set_email(adviser, "reidar.lunde@fjordvik.kommune.no", True)
    domain.set_email(case["leader"], "kari.nordmann@fjordvik.kommune.no", False)  # not by e-mail
    port = free_port()
    with SmtpServer(port) as inbox:
        report = send_digests(domain, caught_up(runner), smtp_settings(port), TODAY)
        assert report.failed == [] and report.sent == 2
        by_recipient = {to[0]: message for to, message in inbox.messages}
        assert set(by_recipient) == {NURSE_EMAIL, "reidar.lunde@fjordvik.kommune.no"}
        nurse_mail = by_recipient[NURSE_EMAIL]
        text = nurse_mail.get_payload(decode=True).decode()
        assert "Du har 1 nytt varsel i Bekymring" in text and f"{URL}/varsler" in text
        assert "2 nye varsler" in by_recipient["reidar.lunde@fjordvik.kommune.no"].get_payload(decode=True).decode()
        assert nurse_mail["From"] == "bekymring@fjordvik.kommune.no" and nurse_mail["Subject"]
        whole = "\n".join(m.as_string() for _to, m in inbox.messages)
        for word in [*SECRETS, "Solsikken", "Helsestasjonen", "PPT Fjordvik", MEASURE, "Samtaler med PPT",
                     "Sunniva Dahl", "Reidar Lunde", str(collaboration_id), str(case["child"])]:
            assert word not in whole, word
        # The next run sends nothing new: each item once.
        assert send_digests(domain, caught_up(runner), smtp_settings(port), TODAY).sent == 0
        assert len(inbox.messages) == 2
        # A new item (the second measure comes within a week): one more e-mail, of it alone.
        later = TODAY + timedelta(days=15)
        assert send_digests(domain, caught_up(runner), smtp_settings(port), later).sent == 2
        text = inbox.messages[-1][1].get_payload(decode=True).decode()
        assert "1 nytt varsel" in text
        # Turned off under /konto: no more e-mail.
        domain.set_email(case["nurse"], NURSE_EMAIL, False)
        with acting_as(case["nurse"]):
            domain.add_collaboration_measure(collaboration_id, "Nytt", "helsestasjon", "Sunniva Dahl", TODAY,
                                             TODAY + timedelta(days=60), TODAY + timedelta(days=1), case["nurse"])
        report = send_digests(domain, caught_up(runner), smtp_settings(port), later)
        assert [to for to, _m in inbox.messages[4:]] == [["reidar.lunde@fjordvik.kommune.no"]]
    # What was sent is recorded without content: no address or name in clear.
    assert leaks(env, [NURSE_EMAIL, "reidar.lunde@fjordvik", "Sunniva Dahl", "Reidar Lunde"]) == []


def test_the_e_mail_is_in_the_users_language():
    from intranet.notification_mail import digest_message

    english = digest_message(smtp_settings(25), NURSE_EMAIL, "en", 2)
    assert english["Subject"] == "New notifications in Bekymring"
    assert "You have 2 new notifications in Bekymring." in english.get_content()
    assert "Du har 1 nytt varsel" in digest_message(smtp_settings(25), NURSE_EMAIL, "nb", 1).get_content()


def test_a_failed_send_is_reported_and_tried_again_next_run(case, runner):
    domain = case["domain"]
    a_collaboration_with_work_waiting(case)
    domain.set_email(case["nurse"], NURSE_EMAIL, True)
    port = free_port()  # nobody listens yet
    report = send_digests(domain, caught_up(runner), smtp_settings(port), TODAY)
    assert report.sent == 0 and [user_id for user_id, _why in report.failed] == [case["nurse"]]
    with SmtpServer(port) as inbox:
        report = send_digests(domain, caught_up(runner), smtp_settings(port), TODAY)
        assert report.sent == 1 and report.failed == [] and len(inbox.messages) == 1


def test_a_refused_recipient_is_reported_and_the_others_get_theirs(case, runner):
    domain = case["domain"]
    _collaboration_id, adviser = a_collaboration_with_work_waiting(case)
    domain.set_email(case["nurse"], "sluttet@fjordvik.kommune.no", True)
    domain.set_email(adviser, "reidar.lunde@fjordvik.kommune.no", True)

    class Refusing(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("sluttet@"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    port = free_port()
    with SmtpServer(port, Refusing()) as inbox:
        report = send_digests(domain, caught_up(runner), smtp_settings(port), TODAY)
        assert report.sent == 1 and [u for u, _w in report.failed] == [case["nurse"]]
        assert [to for to, _m in inbox.messages] == [["reidar.lunde@fjordvik.kommune.no"]]


def test_starttls_and_tls_checked_against_the_municipalitys_ca(case, runner, tmp_path):
    domain = case["domain"]
    collaboration_id, _adviser = a_collaboration_with_work_waiting(case)
    domain.set_email(case["nurse"], NURSE_EMAIL, True)
    ca_file, server_tls = municipal_ca(tmp_path)
    port = free_port()
    with SmtpServer(port, tls_context=server_tls, require_starttls=True) as inbox:
        # Its certificate is not from a CA the system knows: refused, reported, nothing sent.
        report = send_digests(domain, caught_up(runner), smtp_settings(port, security="starttls"), TODAY)
        assert report.sent == 0 and "CERTIFICATE_VERIFY_FAILED" in report.failed[0][1]
        # Plain text to a server that wants STARTTLS is refused too.
        assert send_digests(domain, caught_up(runner), smtp_settings(port), TODAY).sent == 0
        starttls = smtp_settings(port, security="starttls", ca_file=ca_file)
        assert send_digests(domain, caught_up(runner), starttls, TODAY).sent == 1 and len(inbox.messages) == 1
    with acting_as(case["nurse"]):
        domain.add_collaboration_measure(collaboration_id, "Nytt", "helsestasjon", "Sunniva Dahl", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=1), case["nurse"])
    port = free_port()
    with SmtpServer(port, ssl_context=server_tls) as inbox:
        tls = smtp_settings(port, security="ssl", ca_file=ca_file)
        assert send_digests(domain, caught_up(runner), tls, TODAY).sent == 1 and len(inbox.messages) == 1


def test_the_server_login_and_the_settings(case, runner):
    from starlette.datastructures import Secret

    domain = case["domain"]
    a_collaboration_with_work_waiting(case)
    domain.set_email(case["nurse"], NURSE_EMAIL, True)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"hemmelig")

    port = free_port()
    with SmtpServer(port, authenticator=authenticator, auth_require_tls=False) as inbox:
        wrong = smtp_settings(port, user="bekymring", password=Secret("feil"), timeout=3)
        assert len(send_digests(domain, caught_up(runner), wrong, TODAY).failed) == 1
        right = smtp_settings(port, user="bekymring", password=Secret("hemmelig"))
        assert send_digests(domain, caught_up(runner), right, TODAY).sent == 1 and len(inbox.messages) == 1
    assert logins[-1] == (b"bekymring", b"hemmelig")
    # Off unless a host is named; a host needs a sender and the intranet's address.
    assert smtp_from(lambda name, cast=None, default=None: default) is None
    with pytest.raises(SettingsError):
        smtp_from(lambda name, cast=None, default=None: {"BEKYMRING_SMTP_HOST": "smtp"}.get(name, default))


# -- the command, for cron or a systemd timer ------------------------------------------------------
def test_the_command_sends_the_digest_and_says_what_failed(case, env, tmp_path):
    from tests.test_cli import run

    a_collaboration_with_work_waiting(case)
    case["domain"].set_email(case["nurse"], NURSE_EMAIL, True)
    off = run(["notifications", "send"], tmp_path, env=env)
    assert "slått av" in off.stderr  # no SMTP server named: nothing to do, and it says so
    port = free_port()
    smtp_env = {**env, "BEKYMRING_SMTP_HOST": "127.0.0.1", "BEKYMRING_SMTP_PORT": str(port),
                "BEKYMRING_SMTP_SECURITY": "none", "BEKYMRING_SMTP_FROM": "bekymring@fjordvik.kommune.no",
                "BEKYMRING_PUBLIC_URL": URL}
    failed = run(["notifications", "send"], tmp_path, env=smtp_env, check=False)
    assert failed.returncode == 1 and str(case["nurse"]) in failed.stderr and "igjen" in failed.stderr
    with SmtpServer(port) as inbox:
        sent = run(["notifications", "send"], tmp_path, env=smtp_env)
        assert "1 e-post sendt" in sent.stderr and len(inbox.messages) == 1
        assert "0 e-poster sendt" in run(["notifications", "send"], tmp_path, env=smtp_env).stderr


# -- the pages ---------------------------------------------------------------------------------------
def with_work_waiting_on_the_web(web):
    """A collaboration opened on the pages, a measure to evaluate in three days and the
    coordinator role proposed to PPT's adviser: its URL and the child's name."""
    from uuid import UUID

    from tests.test_collaborations import opened_on_the_web

    url, _consent, child_id = opened_on_the_web(web)
    nurse = web.ids["users"]["helsesykepleier"]
    collaboration_id = UUID(url.rsplit("/", 1)[1])
    with acting_as(nurse):
        web.domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                             TODAY + timedelta(days=60), TODAY + timedelta(days=3), nurse)
        web.domain.propose_coordinator(collaboration_id, web.ids["users"]["ppt"], nurse)
    web.projections.wait()
    return url, web.domain.get_child(child_id).name


def test_the_list_and_the_front_page_link_to_the_collaboration_and_name_no_child(web):
    from tests.htmltree import dom
    from tests.test_front_page import accesses_by, section

    url, child_name = with_work_waiting_on_the_web(web)
    nurse = web.login("helsesykepleier")
    before = len(accesses_by(web, "helsesykepleier"))
    page = nurse.get("/varsler")
    assert page.status_code == 200
    links = [a.attrs.get("href") for a in dom(page.text).select("main a")]
    assert url + "#plan" in links
    text = dom(page.text).one("main").text
    assert "Evaluering av tiltak 1" in text and "Solsikken barnehage" in text
    assert child_name not in page.text and MEASURE not in page.text and "Sunniva" not in text
    assert "Du er foreslått som koordinator" not in text  # the handover waits for PPT, not for her
    front = section(nurse.get("/").text, "Varsler")
    assert url + "#plan" in [a.attrs.get("href") for a in front.select("a")]
    assert len(accesses_by(web, "helsesykepleier")) == before  # no child's data shown: no access to record
    adviser = web.login("ppt").get("/varsler").text
    assert "Du er foreslått som koordinator" in adviser and child_name not in adviser
    assert web.login("personvern").get("/varsler").status_code == 403
    assert "Ingen varsler" in web.login("laerer").get("/varsler").text


def test_the_e_mail_address_and_choice_on_the_account_page(web):
    from dataclasses import replace

    from tests.webclient import csrf_of

    nurse = web.login("helsesykepleier")
    assert 'name="email"' not in nurse.get("/konto").text  # no SMTP server named: nothing to choose
    web.app.state.settings = replace(web.app.state.settings, smtp=smtp_settings(25))
    page = nurse.get("/konto")
    assert page.status_code == 200 and 'name="email"' in page.text
    assert page.text.count('id="f-email"') == 1  # one form, in the page, not in its <title>
    assert re.search(r"<title>Min konto[^<]*</title>", page.text)
    response = nurse.post("/konto/varsler", data={"csrf_token": csrf_of(page.text), "email": "sunniva på jobb",
                                                  "email_notifications": "ja"})
    assert response.status_code == 422 and "sunniva på jobb" in response.text
    assert "Skriv en e-postadresse" in response.text
    response = nurse.post("/konto/varsler", data={"csrf_token": csrf_of(page.text), "email": NURSE_EMAIL,
                                                  "email_notifications": "ja"})
    assert response.status_code == 303
    user = web.domain.get_user(web.ids["users"]["helsesykepleier"])
    assert user.email == NURSE_EMAIL and user.email_notifications
    shown = nurse.get(response.headers["location"]).text
    assert NURSE_EMAIL in shown and "Lagret" in shown
    response = nurse.post("/konto/varsler", data={"csrf_token": csrf_of(page.text), "email": NURSE_EMAIL})
    assert response.status_code == 303 and not web.domain.get_user(user.id).email_notifications


def test_the_list_in_english(web):
    from tests.test_language import choose_language

    with_work_waiting_on_the_web(web)
    nurse = web.login("helsesykepleier")
    choose_language(web, nurse, "en", "/varsler")
    page = nurse.get("/varsler").text
    assert "Notifications" in page and "Evaluate measure 1" in page and "Varsler" not in page


def test_the_coordinators_planned_meetings_wait_until_minuted(case, runner):
    """Through the ansvarsgruppe's own events: a meeting the coordinator plans waits for
    every member until it is minuted; one beyond 14 days does not wait yet."""
    set_level(case, 2)
    collaboration_id = open_one(case)
    domain = case["domain"]
    with acting_as(case["nurse"]):
        domain.plan_meeting(collaboration_id, TODAY, "09:00", "Helsestasjonen", case["nurse"])
        domain.plan_meeting(collaboration_id, TODAY + timedelta(days=40), "09:00", "Helsestasjonen", case["nurse"])
    caught_up(runner)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    (item,) = items_for(runner, nurse)
    assert item["kind"] == "meeting" and item["key"] == f"meeting:{collaboration_id}:1:{TODAY}"
    with acting_as(case["nurse"]):
        domain.minute_meeting(collaboration_id, 1, ["helsestasjon"], True, "Vi ble enige om neste steg.",
                              case["nurse"])
    caught_up(runner)
    assert items_for(runner, nurse) == []
