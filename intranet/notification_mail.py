"""The daily digest of notifications by e-mail (`intranet notifications send`,
from cron or a systemd timer), through the SMTP server the municipality names.

An e-mail says how many new items wait, with a link to `/varsler`: never a
name, a unit or a word about a child, since e-mail leaves the municipality's
systems. Each item is e-mailed once: what was sent is recorded after the
server accepted it (events/notifications.py). A send that fails is reported
and, being unrecorded, tried again on the next run.
"""

from __future__ import annotations

import smtplib
import ssl
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from uuid import UUID

from events.notifications import item_hash
from events.policy import Principal
from intranet import i18n
from intranet.i18n import _, ngettext
from intranet.notifications import waiting
from intranet.settings import SmtpSettings

PAGE = 500  # recipients read at a time


@dataclass
class Report:
    sent: int = 0
    failed: list[tuple[UUID, str]] = field(default_factory=list)  # (user, why), to try again next run


def digest_message(smtp: SmtpSettings, address: str, language: str, count: int) -> EmailMessage:
    """The e-mail for `count` new items, in the user's language: a count and a link."""
    token = i18n.current_language.set(i18n.choose(language))
    try:
        message = EmailMessage()
        message["Subject"] = _("Nye varsler i Bekymring")
        message["From"] = smtp.sender
        message["To"] = address
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2])
        message.set_content("\n\n".join([
            ngettext("Du har %(num)d nytt varsel i Bekymring.", "Du har %(num)d nye varsler i Bekymring.",
                     count) % {"num": count},
            _("Se hva som venter: %(url)s") % {"url": f"{smtp.public_url}/varsler"},
            _("Du kan slå av varsler på e-post under Min konto."),
        ]) + "\n")
        return message
    finally:
        i18n.current_language.reset(token)


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """A connection to the server, its certificate checked against the system's CAs
    (or the municipality's own, `ca_file`), logged in if it wants a login."""
    context = ssl.create_default_context(cafile=smtp.ca_file or None)
    if smtp.security == "ssl":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            connection.starttls(context=context)
        if smtp.user:
            connection.login(smtp.user, str(smtp.password or ""))
    except BaseException:
        connection.close()
        raise
    return connection


def close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        with suppress(smtplib.SMTPException, OSError):
            connection.quit()


def recipients(view):
    offset = 0
    while True:
        page = view.wants_email(offset, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def send_digests(domain, runner, smtp: SmtpSettings, today: date) -> Report:
    """E-mail each user who asked for it the items new since her last e-mail. The
    read models are taken as they are (the caller catches them up)."""
    view, concerns = runner["notifications"].view, runner["concerns"].view
    report = Report()
    connection, unreachable = None, ""
    try:
        for user_id in recipients(view):
            user = domain.get_user(user_id)
            if not (user.active and user.email_notifications and user.email):
                continue
            principal = Principal(user.id, user.role, user.unit_id, user.service)
            items = sorted({item_hash(user.id, i["key"]) for i in waiting(view, concerns, principal, today)})
            new = sorted(set(items) - view.sent(user.id, items))
            if not new:
                continue
            if unreachable:  # the server was not there for an earlier user this run
                report.failed.append((user.id, unreachable))
                continue
            try:
                if connection is None:
                    connection = connect(smtp)
                connection.send_message(digest_message(smtp, user.email, user.language, len(new)))
            except smtplib.SMTPRecipientsRefused as e:  # this address only; the connection goes on
                report.failed.append((user.id, f"refused: {describe(e)}"))
                continue
            except (smtplib.SMTPException, OSError) as e:
                close(connection)
                connection = None
                if isinstance(e, (OSError, smtplib.SMTPConnectError, smtplib.SMTPAuthenticationError,
                                  smtplib.SMTPServerDisconnected)):
                    unreachable = describe(e)
                report.failed.append((user.id, describe(e)))
                continue
            domain.record_digest(user.id, new, today)
            report.sent += 1
    finally:
        close(connection)
    return report


def describe(error: BaseException) -> str:
    """The error for the operator: its kind and the server's words (never the message)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values())
    return f"{type(error).__name__}: {error}"
