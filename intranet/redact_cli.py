"""`intranet redact`: redact one concern read as JSON from standard input.

Input, one JSON object:

    {"text": "...", "names": ["Child Name", "Guardian Name"], "roles": {"Guardian Name": "mor"}}

"roles" is optional. A name without a role is "barnet" if it comes first in
"names", else "foresatt". The redacted text goes to standard output; bad input
gives a message on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from events.redaction import Person, redact

CHILD_ROLE = "barnet"
GUARDIAN_ROLE = "foresatt"


class InputError(ValueError):
    pass


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "redact",
        help="redact a concern (JSON on stdin) for anonymous discussion",
        description=(
            'Reads {"text": ..., "names": [child, guardians...], "roles": {name: role}} '
            "on stdin and prints the redacted text."
        ),
    )
    parser.set_defaults(func=cmd_redact)


def parse_request(raw: bytes) -> tuple[str, list[Person]]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise InputError(f"inndata er ikke UTF-8: {e}") from e
    except json.JSONDecodeError as e:
        raise InputError(f"ugyldig JSON: {e}") from e
    if not isinstance(data, dict):
        raise InputError("inndata må være ett JSON-objekt")
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError('"text" må være en tekst')
    names = data.get("names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputError('"names" må være en liste med navn')
    roles = data.get("roles") or {}
    if not isinstance(roles, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in roles.items()
    ):
        raise InputError('"roles" må være et objekt fra navn til rolle')
    people = [
        Person(name, roles.get(name) or (CHILD_ROLE if i == 0 else GUARDIAN_ROLE))
        for i, name in enumerate(names)
    ]
    return text, people


def cmd_redact(args: argparse.Namespace) -> int:
    try:
        text, people = parse_request(sys.stdin.buffer.read())
    except InputError as e:
        print(f"intranet redact: {e}", file=sys.stderr)
        return 2
    redacted = redact(text, people).text
    if not redacted.endswith("\n"):
        redacted += "\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(redacted.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
