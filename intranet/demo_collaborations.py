"""Three collaborations across services for the demo, each about a made-up child of
intranet/demo_data.py, dated in the past through the domain's clock:

- Mahad (Solsikken barnehage): an active collaboration with Helsestasjonen and
  PPT's resource team, with goals, measures, one evaluation, and the coordinator
  role handed from the styrer to the helsesykepleier;
- Tuva (Fjordvik skole): helsestasjonen, PPT and BUP, ended into an individuell
  plan with a hand-off summary;
- Elias (Solsikken barnehage): the guardians said no to a collaboration. The
  refusal is a consent with the decision "refused", shown on the child's page,
  and the concern's log says what the unit does instead.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Callable
from uuid import UUID

from events import clock
from events.base import acting_as
from intranet import demo_data


def _child(ids: dict[str, Any], first_name: str) -> UUID:
    index = next(i for i, c in enumerate(demo_data.CHILDREN) if c["first_name"] == first_name)
    return ids["children"][index]


def _signatories(app: Any, child_id: UUID, method: str = "skriftlig") -> list[dict[str, str]]:
    return [{"name": g["name"], "method": method} for g in app.get_child(child_id).guardians_with_responsibility]


class _Days:
    """Steps of one story, each run with the clock set to its day (9 o'clock in Oslo),
    by the user named."""

    def __init__(self, app: Any, users: dict[str, UUID], start: date):
        self.app, self.users, self.start = app, users, start

    def on(self, day: int, username: str, step: Callable[[UUID], Any]) -> Any:
        moment = datetime.combine(self.start + timedelta(days=day), time(9, 0), clock.OSLO)
        user = self.users[username]
        with acting_as(user), clock.set_to(moment):
            return step(user)

    def date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def change(self, concern_id: UUID, day: int, username: str, fn: Callable[[Any, UUID], None]) -> None:
        self.on(day, username, lambda user: self.app.change_concern(
            concern_id, self.app.get_concern(concern_id).version, user, lambda c: fn(c, user)))


def load_collaborations(app: Any, ids: dict[str, Any], today: date | None = None) -> dict[str, UUID]:
    """The three stories; the ids of the active and the ended collaboration, and of the refusal."""
    today = today or clock.today()
    return {"active": _active(app, ids, today), "individual_plan": _individual_plan(app, ids, today),
            "refused": _refused(app, ids, today)}


def _active(app: Any, ids: dict[str, Any], today: date) -> UUID:
    child = _child(ids, "Mahad")
    d = _Days(app, ids["users"], today - timedelta(days=110))
    concern = d.on(0, "pedleder", lambda user: app.open_concern(
        child, user, d.date(0), "Bruker få ord og forstår ikke beskjeder i samlingsstund.",
        "", ["development"], 3))
    d.change(concern, 7, "styrer", lambda c, user: c.set_level(2, "Trenger hjelp fra helsestasjonen og PPT"))
    d.change(concern, 10, "pedleder", lambda c, user: c.record_guardian_talk(
        d.date(10), "mor, far og pedagogisk leder",
        "Foreldrene kjenner seg igjen og ønsker hjelp fra helsestasjonen og PPT.", True, user))
    consent = d.on(14, "styrer", lambda user: app.record_consent(
        child, "given", ["helsestasjon", "ppt"], ["observations", "development", "action_plan"],
        "Samarbeid om Mahads språk og trivsel", d.date(14), d.date(14 + 365), _signatories(app, child),
        "", False, "", user))
    collaboration = d.on(16, "styrer", lambda user: app.open_collaboration(
        concern, consent, [("helsestasjon", ids["units"]["helsestasjonen"]), ("ppt", None)],
        ["action_plan", "development"], user, user))
    d.on(16, "styrer", lambda user: app.add_collaboration_goal(
        collaboration, "Mahad skal kunne si fra med ord når han vil noe", user))
    d.on(16, "styrer", lambda user: app.add_collaboration_goal(
        collaboration, "Mahad skal leke sammen med de andre barna og ha det godt i barnehagen", user))
    d.on(20, "styrer", lambda user: app.add_collaboration_measure(
        collaboration, "Språkgruppe tre ganger i uken", "own_unit", "Ingrid Solberg, pedagogisk leder",
        d.date(20), d.date(200), d.date(60), user, goal=1))
    d.on(20, "styrer", lambda user: app.add_collaboration_measure(
        collaboration, "Hørselstest og språkkartlegging på helsestasjonen", "helsestasjon", "Sunniva Dahl",
        d.date(25), d.date(115), d.date(120), user, goal=1))
    d.on(30, "styrer", lambda user: app.add_collaboration_measure(
        collaboration, "Pedagogisk-psykologisk utredning", "ppt", "Reidar Lunde", d.date(30), d.date(150),
        d.date(125), user, goal=2))
    d.on(60, "pedleder", lambda user: app.evaluate_collaboration_measure(
        collaboration, 1, d.date(60), "Mahad bruker flere ord og tar oftere kontakt med de andre barna.",
        "Foreldrene hører at han prøver å si mer hjemme også.", "Mahad sier at han liker språkgruppa.",
        "continue", d.date(130), user))
    d.on(70, "styrer", lambda user: app.propose_coordinator(collaboration, ids["users"]["helsesykepleier"], user))
    d.on(72, "helsesykepleier", lambda user: app.accept_coordinator(collaboration, user))
    return collaboration


def _individual_plan(app: Any, ids: dict[str, Any], today: date) -> UUID:
    child = _child(ids, "Tuva")
    d = _Days(app, ids["users"], today - timedelta(days=320))
    concern = d.on(0, "laerer", lambda user: app.open_concern(
        child, user, d.date(0), "Sier at hun ikke får sove om natten, og har mye fravær.", "«Jeg orker ikke»",
        ["mental_health", "absence"], 3))
    d.change(concern, 6, "rektor", lambda c, user: c.set_level(3, "Trenger hjelp fra flere tjenester og BUP"))
    consent = d.on(12, "rektor", lambda user: app.record_consent(
        child, "given", ["helsestasjon", "ppt", "bup"], ["observations", "health", "development", "action_plan"],
        "Samarbeid om Tuvas helse og skolehverdag", d.date(12), d.date(12 + 730), _signatories(app, child),
        "", False, "", user))
    collaboration = d.on(15, "rektor", lambda user: app.open_collaboration(
        concern, consent, [("helsestasjon", ids["units"]["helsestasjonen"]), ("ppt", None),
                           ("bup", ids["units"]["bup"])],
        ["action_plan", "health", "development"], ids["users"]["helsesykepleier"], user))
    d.on(15, "helsesykepleier", lambda user: app.add_collaboration_goal(
        collaboration, "Tuva skal gå på skolen hver dag og kjenne seg trygg der", user))
    d.on(18, "helsesykepleier", lambda user: app.add_collaboration_measure(
        collaboration, "Samtaler med helsesykepleier hver uke", "helsestasjon", "Sunniva Dahl", d.date(18),
        d.date(200), d.date(80), user, goal=1))
    d.on(18, "helsesykepleier", lambda user: app.add_collaboration_measure(
        collaboration, "Utredning og behandling ved BUP", "bup", "Nora Strømsnes", d.date(40), d.date(250),
        d.date(150), user, goal=1))
    d.on(80, "helsesykepleier", lambda user: app.evaluate_collaboration_measure(
        collaboration, 1, d.date(80), "Tuva kommer til samtalene og sover litt bedre.",
        "Foreldrene vil at samtalene fortsetter.", "Tuva sier at samtalene hjelper.", "continue", d.date(160),
        user))
    d.on(240, "rektor", lambda user: app.close_collaboration(
        collaboration, "individual_plan",
        "Tuva trenger langvarige og koordinerte tjenester, og foreldrene ønsket individuell plan. "
        "Helsesykepleier koordinerer planen. Målene og tiltakene herfra er tatt med i den, "
        "og ansvarsgruppen (helsestasjonen, PPT, BUP, skolen og foreldrene) møtes vår og høst.", user,
        plan_coordinator="Helsesykepleier ved Fjordvik helsestasjon"))
    return collaboration


def _refused(app: Any, ids: dict[str, Any], today: date) -> UUID:
    child = _child(ids, "Elias")
    d = _Days(app, ids["users"], today - timedelta(days=45))
    concern = d.on(0, "barnehagelaerer", lambda user: app.open_concern(
        child, user, d.date(0), "Slår og biter de andre barna i frileken.", "", ["behaviour"], 2))
    d.change(concern, 5, "styrer", lambda c, user: c.set_level(2, "Vurderer samarbeid med helsestasjonen og PPT"))
    d.change(concern, 8, "barnehagelaerer", lambda c, user: c.record_guardian_talk(
        d.date(8), "mor, far og barnehagelærer",
        "Foreldrene ser det samme hjemme, men vil ikke at flere tjenester skal kobles inn nå.", True, user))
    consent = d.on(9, "styrer", lambda user: app.record_consent(
        child, "refused", ["helsestasjon", "ppt"], [], "Tverrfaglig samarbeid med helsestasjonen og PPT",
        d.date(9), d.date(9), _signatories(app, child, "muntlig"), "", True,
        "Foreldrene sa nei i samtalen med styrer.", user))
    d.change(concern, 9, "styrer", lambda c, user: c.log_observation(
        d.date(9), "Foreldrene sa nei til samarbeid med helsestasjonen og PPT. Barnehagen følger opp på nivå 1 "
        "med fast voksen i frileken, og spør foreldrene igjen ved neste foreldresamtale.", "", user))
    return consent
