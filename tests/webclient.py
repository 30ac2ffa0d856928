"""A test browser for the app: real HTTP through Starlette's TestClient, over
https so Secure cookies behave as in production, plus sign-in helpers."""

from __future__ import annotations

import copy
import re

from starlette.testclient import TestClient

from events import clock
from events.base import acting_as
from intranet import demo, demo_data
from intranet.app import create_app
from intranet.settings import Settings
from tests.factories import give_consent

PASSWORD = demo_data.DEMO_PASSWORD
ROLE_USERS = {
    "staff": "pedleder",  # Solsikken barnehage
    "unit_leader": "styrer",  # Solsikken barnehage
    "resource_team": "barnevern",
    "privacy_officer": "personvern",
    "municipal_leader": "kommunalsjef",
    "admin": "admin",
}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Web:
    # What `__enter__` records beside the store: a copy of the store needs it too.
    BUILT = ("ids", "concerns", "consent", "referrals", "meeting", "transfers")

    def __init__(self, env: dict[str, str], built: dict | None = None):
        """`built`: `env` is a copy of a store a `Web` already filled, and this is
        its `built_state()`; otherwise the demo and the shared records are made here."""
        self.env = env
        self.app = create_app(Settings.from_env({**env, "BEKYMRING_SECURE_COOKIES": "1"}))
        self._main = TestClient(self.app, base_url="https://testserver")
        self._recovery = {}
        self._built = built

    def built_state(self) -> dict:
        return {name: copy.deepcopy(getattr(self, name)) for name in self.BUILT}

    def __enter__(self) -> Web:
        self._main.__enter__()
        if self._built is not None:
            for name in self.BUILT:
                setattr(self, name, copy.deepcopy(self._built[name]))
            self.projections.wait()
            return self
        self.ids = demo.load(self.domain)
        self.concerns = {
            # by a staff member in Solsikken barnehage (the matrix's "own" concern)
            "own": self.file_concern("pedleder", "solsikken"),
            # by a colleague in the same kindergarten, not shared
            "colleague": self.file_concern("barnehagelaerer", "solsikken"),
            # at the school
            "other": self.file_concern("laerer", "fjordvikskole"),
        }
        with acting_as(self.ids["users"]["pedleder"]):
            self.consent = self.give_consent(self.child_in("solsikken"), ["ppt", "helsestasjon"])
        self.referrals = {
            "own": self.open_referral("own", "barnevern", "pedleder"),
            "own_ppt": self.open_referral("own", "ppt", "pedleder"),
            "other": self.open_referral("other", "barnevern", "laerer"),
        }
        with acting_as(self.ids["users"]["styrer"]):
            self.meeting = self.domain.schedule_meeting(
                "autumn", clock.today(), [self.ids["units"]["solsikken"]],
                ["barnevern", "helsestasjon", "ppt", "unit_leader"], self.ids["users"]["styrer"], "Rådhuset", "09:00")
        self.transfers = {
            # sent from Solsikken barnehage to Fjordvik skole, prepared by a staff member
            "own": self.make_transfer("pedleder"),
            # by a colleague in the same kindergarten
            "colleague": self.make_transfer("barnehagelaerer"),
        }
        self.projections.wait()
        return self

    def make_transfer(self, username: str, send: bool = True):
        """A transfer of a Solsikken child to the school, approved by the guardians (and sent)."""
        author, child_id, school = self.ids["users"][username], self.child_in("solsikken"), self.ids["units"]["fjordvikskole"]
        with acting_as(author):
            transfer_id = self.domain.start_transfer(child_id, school, "kindergarten_to_school", author)
            self.domain.update_transfer(transfer_id, school, [], {"strengths": "Glad i å tegne og synge"})
            guardians = [g["name"] for g in self.domain.get_child(child_id).guardians_with_responsibility]
            self.domain.approve_transfer(transfer_id, guardians, "skriftlig", clock.today(), "")
        if send:
            with acting_as(self.ids["users"]["styrer"]):
                self.domain.send_transfer(transfer_id)
        return transfer_id

    def give_consent(self, child_id, services, days=365):
        return give_consent(self.domain, child_id, services, days=days, recorded_by=self.ids["users"]["pedleder"])

    def open_referral(self, concern_key, kind, username):
        author = self.ids["users"][username]
        fields = {"reason": "Språkvansker", "tried": "Språkgruppe", "guardians_view": "Enige"} if kind != "barnevern" else {
            "reporter_name": "Melder", "reporter_role": "Pedagogisk leder", "reporter_phone": "41234567",
            "reporter_email": "melder@example.no", "message": "Bekymring", "unit_name": "Enhet",
            "child_address": {"street": "Bjørkeveien 3", "postcode": "6412", "place": "Fjordvik"},
            "guardians": [{"name": "Foresatt", "phone": "", "informed": True, "not_informed_reason": ""}]}
        with acting_as(author):
            return self.domain.open_referral(self.concerns[concern_key], kind, author, fields)

    def file_concern(self, username: str, unit_key: str, categories=("neglect",)):
        author = self.ids["users"][username]
        with acting_as(author):
            return self.domain.open_concern(
                self.child_in(unit_key), author, clock.today(),
                "Kom uten matpakke og var sulten tre dager på rad.", "", list(categories), 2,
            )

    def __exit__(self, *exc) -> None:
        self._main.__exit__(*exc)

    @property
    def domain(self):
        return self.app.state.domain

    @property
    def projections(self):
        return self.app.state.projections

    def client(self) -> TestClient:
        """A fresh browser (own cookie jar) on the same running app."""
        # Not entered as a context: the lifespan already runs under self._main.
        return TestClient(self.app, base_url="https://testserver", follow_redirects=False)

    def post_form(self, client: TestClient, url: str, data: dict, page: str | None = None):
        """Post a form the way a browser does: with the token from the page that shows it."""
        html = client.get(page or url).text if page is not False else ""
        token = csrf_of(html) if html else ""
        return client.post(url, data={**data, "csrf_token": token})

    def login(self, role_or_username: str) -> TestClient:
        username = ROLE_USERS.get(role_or_username, role_or_username)
        client = self.client()
        response = self.post_form(client, "/logg-inn", {"username": username, "password": PASSWORD})
        assert response.status_code == 303, response.text
        if response.headers["location"] == "/logg-inn/kode":
            # Each demo recovery code works once per user.
            index = self._recovery.get(username, 0)
            self._recovery[username] = index + 1
            code = demo.DEMO_RECOVERY_CODES[index]
            response = self.post_form(client, "/logg-inn/kode", {"code": code})
            assert response.status_code == 303, response.text
        assert response.headers["location"] == "/"
        return client

    def child_in(self, unit_key: str):
        """The id of a demo child in the given unit."""
        for child_id, data in zip(self.ids["children"], demo_data.CHILDREN):
            if data["unit"] == unit_key:
                return child_id
        raise LookupError(unit_key)
