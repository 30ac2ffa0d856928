"""The `intranet` command: serve, demo, projections and keys."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from events.errors import KeyConfigurationError
from events.storage.private_files import PRIVATE_UMASK
from intranet.settings import SettingsError


def _settings():
    from intranet.settings import Settings

    return Settings.from_env()


def _domain(settings):
    return settings.open_domain()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    _domain(settings).close()  # fail here, clearly, if the KEK or store is wrong
    uvicorn.run(
        "intranet.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # The app reads X-Forwarded-For itself, from BEKYMRING_TRUSTED_PROXIES only
        # (intranet/auth.py client_address); uvicorn's own trust (127.0.0.1 by
        # default) would let anyone behind a pass-through proxy choose an address.
        proxy_headers=False,
        # A line per request cost a few per cent of a busy server's time; the
        # access events are the record of who saw what (`--access-log` for debugging).
        access_log=args.access_log,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from intranet import demo

    os.environ["BEKYMRING_DEMO"] = "1"
    settings = _settings()
    app = _domain(settings)
    try:
        if demo.is_loaded(app):
            print("Demodata finnes allerede i", settings.data_dir, file=sys.stderr)
        else:
            demo.load(app) if args.no_history else demo.load_with_casework(app)
            print("Demodata lastet inn i", settings.data_dir, file=sys.stderr)
            # The demo's past months are published, as `intranet statistics publish` would have.
            publish_statistics(app, settings.read_models, settings.release_after_days)
    finally:
        app.close()
    print(demo.logins_text(f"http://{args.host}:{args.port}/"))
    if args.load_only:
        return 0
    return cmd_serve(args)


def publish_statistics(app, read_models, delay_days: int, today: date | None = None) -> list:
    """Publish every statistics release that is due (intranet/statistics_releases.py),
    with the read models caught up first; each published period is printed."""
    from events import clock
    from intranet.statistics_releases import publish_due
    from projections.live import ProjectionRunner

    runner = ProjectionRunner(app, config=read_models)
    runner.catch_up()
    published = publish_due(app, runner["meetings"].view, today or clock.today(), delay_days)
    for period in published:
        print(f"Publisert: {period.name}", file=sys.stderr)  # 2026-11, 2026-Q4, 2026
    return published


def cmd_statistics(args: argparse.Namespace) -> int:
    """publish: the releases of the leaders' statistics that are due (run daily, e.g. from cron)."""
    settings = _settings()
    app = _domain(settings)
    try:
        today = date.fromisoformat(args.today) if args.today else None
        published = publish_statistics(app, settings.read_models, settings.release_after_days, today)
        if not published:
            print("Ingen nye utgivelser er klare.", file=sys.stderr)
    finally:
        app.close()
    return 0


def cmd_notifications(args: argparse.Namespace) -> int:
    """send: e-mail each user who asked for it how many new notifications wait, with a
    link (run daily, from cron or a systemd timer). Exit code 1 if any e-mail failed:
    those are tried again on the next run."""
    from events import clock
    from intranet.notification_mail import send_digests
    from projections.live import ProjectionRunner

    settings = _settings()
    if settings.smtp is None:
        print("E-postvarsler er slått av (BEKYMRING_SMTP_HOST er ikke satt).", file=sys.stderr)
        return 0
    app = _domain(settings)
    try:
        runner = ProjectionRunner(app, config=settings.read_models)
        runner.catch_up()
        today = date.fromisoformat(args.today) if args.today else clock.today()
        report = send_digests(app, runner, settings.smtp, today)
    finally:
        app.close()
    print(f"{report.sent} e-post{'er' if report.sent != 1 else ''} sendt.", file=sys.stderr)
    for user_id, why in report.failed:
        print(f"intranet: e-posten til bruker {user_id} ble ikke sendt ({why}); den sendes igjen ved neste kjøring",
              file=sys.stderr)
    return 1 if report.failed else 0


def _progress(name: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if done >= total else ""
    print(f"\r{name:<12} [{bar}] {done}/{total} hendelser", end=end, file=sys.stderr, flush=True)


def cmd_projections(args: argparse.Namespace) -> int:
    from projections.undecodable import RebuildStopped, UndecodableRow

    settings = _settings()
    app = _domain(settings)
    try:
        return _projections(args.action, args.names or None, app, settings.read_models)
    except (UndecodableRow, RebuildStopped) as e:  # a rebuild met a row it cannot read: say which, plainly
        print(f"intranet: {e}", file=sys.stderr)
        return 1
    finally:
        app.close()


def _projections(action: str, names, app, config) -> int:
    from projections.live import ProjectionRunner
    from projections.rebuild import rebuild

    if action == "verify":
        return projections_verify(app, names, config)
    if action == "status":
        return projections_status(ProjectionRunner(app, config=config))
    counts = rebuild(app, names, progress=_progress, config=config)
    for name, count in counts.items():
        print(f"{name}: {count} hendelser")
    return 0


def cmd_children(args: argparse.Namespace) -> int:
    """claim-numbers: fill the claims table (events/storage/national_ids.py) with the
    national identity numbers of children registered before it existed (run once
    after upgrading; safe to repeat)."""
    app = _domain(_settings())
    try:
        made, shared = app.claim_registered_numbers()
    finally:
        app.close()
    print(f"{made} fødselsnumre knyttet til sitt barn.")
    for first, second in shared:
        print(f"Samme fødselsnummer er registrert på to barn: {first} og {second}")
    return 1 if shared else 0


def projections_verify(app, names, config) -> int:
    """Rebuild each named read model apart and compare it with the live one: every
    row that differs is named; exit code 1 if any does, 2 for an unknown name."""
    from projections.registry import PROJECTIONS
    from projections.verify import verify

    unknown = sorted(set(names or ()) - {p.name for p in PROJECTIONS})
    if unknown:
        print(f"intranet: ukjent lesemodell: {', '.join(unknown)}", file=sys.stderr)
        return 2
    found = verify(app, names, config)
    for name, differences in found.items():
        print(f"{name}: {'OK' if not differences else f'{len(differences)} avvik'}")
        for difference in differences:
            print(f"  {difference.describe()}")
    return 1 if any(found.values()) else 0


def projections_status(runner) -> int:
    """Each read model's position as recorded by the process that follows it; a
    read model that cannot go on past a row it cannot read is named with the row,
    and one that stopped in a server with why (exit code 1 for either)."""
    from projections.batches import first_unreadable

    runner.refresh()
    stops = first_unreadable(runner.app, list(runner.followers.values()))
    stopped = False
    for name, status in runner.status().items():
        print(f"{name}: posisjon {status['position']}, {status['behind']} bak")
        if name in stops:
            print(f"  STOPPER ved rad som ikke kan leses: {stops[name].describe()}")
        elif "stopped" in status:
            print(f"  STOPPET: {status['stopped']}")
            stopped = True
    return 1 if stops or stopped else 0


def cmd_keys(args: argparse.Namespace) -> int:
    from events.kek import Kek, read_kek_file, write_kek_file

    if args.action == "new-kek":
        path = Path(args.file)
        write_kek_file(path, Kek.generate())
        print(f"Ny KEK skrevet til {path} (modus 0600). Oppbevar en sikkerhetskopi utenfor serveren.")
        return 0
    app = _domain(_settings())
    try:
        if args.action == "status":
            print(f"KEK i bruk: {app.keystore.kek.id}")
            print(f"KEK-er som pakker inn nøkler: {', '.join(sorted(app.keystore.kek_ids())) or '-'}")
            return 0
        new_path = Path(args.new_kek_file)
        if not new_path.exists():
            write_kek_file(new_path, Kek.generate())
        new_kek = read_kek_file(new_path)
        count = app.keystore.rewrap(new_kek)
        print(f"{count} datanøkler pakket inn på nytt med KEK {new_kek.id}.")
        print(f"Sett nå BEKYMRING_KEK_FILE={new_path} (eller BEKYMRING_KEK) og start tjenesten på nytt.")
        return 0
    finally:
        app.close()


def cmd_verify_report(args: argparse.Namespace) -> int:
    """A guardians' report against the municipality's key: the file and the key
    are all it reads (no settings, no store), as a family or an auditor has them."""
    from events.ledger.report_check import verify_report_bytes

    verdict = verify_report_bytes(Path(args.file).read_bytes(), Path(args.public_key).read_text(encoding="utf-8"))
    print(verdict.text(args.lang))
    return 0 if verdict.ok else 1


def cmd_audit(args: argparse.Namespace) -> int:
    from events.ledger.checkpoints import (
        parse_verifier_key,
        read_checkpoints,
        verifier_key,
        write_checkpoints,
    )
    from projections.ledger import LedgerProjection, origin_of, signing_key, verify
    from projections.registry import construct_view

    settings = _settings()
    config = settings.read_models
    app = _domain(settings)
    try:
        view = construct_view(LedgerProjection, app)
        if args.action == "verify":
            extra = read_checkpoints(args.checkpoints) if args.checkpoints else []
            public_key = None
            if args.public_key:
                _, public_key = parse_verifier_key(Path(args.public_key).read_text().strip())
            witness = Path(args.witness) if args.witness else None
            report = verify(app, view, extra, public_key, config, witness)
            print(report)
            return 0 if report.ok else 1
        if args.action == "checkpoint":
            from projections.batches import Follower

            follower = Follower(LedgerProjection(view, app, config), app)
            follower.catch_up()
            cp = follower.projection.checkpoint_now()
            print(cp.note if cp else "Loggen er tom.")
            return 0
        if args.action == "export-checkpoints":
            write_checkpoints(args.file, view.checkpoints())
            print(f"{len(view.checkpoints())} sjekkpunkter skrevet til {args.file}")
            return 0
        # public-key: what an outside verifier needs, printed as a signed-note verifier key.
        print(verifier_key(origin_of(app, config), signing_key(app.keystore).public_key()))
        return 0
    finally:
        app.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intranet", description="Bekymring")
    sub = parser.add_subparsers(dest="command", required=True)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default=os.environ.get("BEKYMRING_HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("BEKYMRING_PORT", "8000")))
        p.add_argument("--workers", type=int, default=1)
        p.add_argument("--access-log", action="store_true", help="log a line per request (off by default)")

    serve = sub.add_parser("serve", help="run the web server (uvicorn)")
    server_options(serve)
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="load the demo municipality, then serve it")
    server_options(demo)
    demo.add_argument("--load-only", action="store_true", help="load the data, do not serve")
    demo.add_argument("--no-history", action="store_true",
                      help="leave out the two years of made-up casework (a store of a few hundred rows)")
    demo.set_defaults(func=cmd_demo)

    proj = sub.add_parser("projections", help="read models")
    proj.add_argument("action", choices=["rebuild", "status", "verify"],
                      help="verify: rebuild apart and compare row by row with the live read model")
    proj.add_argument("names", nargs="*", help="which read models (default: all)")
    proj.set_defaults(func=cmd_projections)

    statistics = sub.add_parser("statistics", help="the leaders' statistics releases")
    statistics.add_argument("action", choices=["publish"])
    statistics.add_argument("--today", help="the day to publish as (YYYY-MM-DD; default: today)")
    statistics.set_defaults(func=cmd_statistics)

    notifications = sub.add_parser("notifications", help="notifications by e-mail")
    notifications.add_argument("action", choices=["send"], help="send: the daily digest (run daily, e.g. from cron)")
    notifications.add_argument("--today", help="the day to send as (YYYY-MM-DD; default: today)")
    notifications.set_defaults(func=cmd_notifications)

    children = sub.add_parser("children", help="children's records")
    children.add_argument("action", choices=["claim-numbers"])
    children.set_defaults(func=cmd_children)

    keys = sub.add_parser("keys", help="key management")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    new = keys_sub.add_parser("new-kek", help="write a new random KEK to a 0600 file")
    new.add_argument("file")
    rotate = keys_sub.add_parser("rotate-kek", help="rewrap every data key under a new KEK")
    rotate.add_argument("--new-kek-file", required=True, help="made if it does not exist")
    keys_sub.add_parser("status", help="which KEK wraps the data keys")
    keys.set_defaults(func=cmd_keys)

    audit = sub.add_parser("audit", help="tamper evidence")
    audit_sub = audit.add_subparsers(dest="action", required=True)
    verify = audit_sub.add_parser("verify", help="recompute the Merkle tree from the raw store")
    verify.add_argument("--checkpoints", help="a file of exported checkpoints to check as well")
    verify.add_argument("--public-key", help="a file with the verifier key (from: intranet audit public-key)")
    verify.add_argument("--witness", help="the witness file to hold the log against (default: BEKYMRING_WITNESS_FILE)")
    audit_sub.add_parser("checkpoint", help="bring the ledger up to date and sign a checkpoint now")
    export = audit_sub.add_parser("export-checkpoints", help="write every signed checkpoint to a file")
    export.add_argument("file")
    audit_sub.add_parser("public-key", help="print the verifier key for the checkpoints")
    audit.set_defaults(func=cmd_audit)
    verify_report = audit_sub.add_parser("verify-report", help="check a guardians' access report (the JSON file)")
    verify_report.add_argument("file")
    verify_report.add_argument("--public-key", required=True,
                               help="a file with the verifier key (from: intranet audit public-key, or /om/logg)")
    verify_report.add_argument("--lang", choices=["nb", "en"], default="nb")
    verify_report.set_defaults(func=cmd_verify_report)

    from intranet import redact_cli

    redact_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)  # every file the command creates is the service's alone
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (KeyConfigurationError, SettingsError) as e:
        print(f"intranet: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
