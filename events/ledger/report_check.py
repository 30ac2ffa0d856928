"""Check a guardians' access report (the JSON file) against the municipality's
verifier key, with nothing but the file and the key: the reference for the
static page's verifier (intranet/static/verify/verify.js), which must reach the
same verdict, failure by failure.

The report (format REPORT_FORMAT):
    {"format": ..., "checkpoint": "<signed note>", "child_key": "<b64>",
     "map": {"index": i, "size": n, "count": k, "head": "<b64>", "proof": ["<b64>", ...]},
     "accesses": [{"entry": {<ENTRY_FIELDS>}, "leaf": "<b64>", "previous": "<b64>",
                   "link": "<b64>", "shown": {<names for reading, not checked>}}, ...]}

The verdict is the first failure found, in this order: the file's form; the
checkpoint's signature; the map the checkpoint commits to; the head's inclusion
in that map; then the lines from the first (a line whose content does not give
its link is altered; a line that does not follow the line before it has an
access missing before it); then whether the lines end at the signed head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from events.ledger.access_chain import (
    CHAIN_START, ENTRY_FIELDS, MapLeaf, map_commitment, map_leaf_hash, next_link,
    root_from_inclusion, unb64,
)
from events.ledger.checkpoints import CheckpointError, check_checkpoint_signature, parse_checkpoint, parse_verifier_key

REPORT_FORMAT = "bekymring-innsyn-v1"

# One sentence per verdict, in the family's language; {line} is 1-based.
MESSAGES = {
    "nb": {
        "complete": "Fullstendig: alle {count} innsyn i barnets opplysninger fram til sjekkpunkt {size}, "
                    "signert {signed_at}, står i rapporten, og ingen er endret.",
        "format": "Fila er ikke en innsynsrapport fra Bekymring: {detail}.",
        "key": "Nøkkelen er ikke gyldig: {detail}.",
        "signature": "Sjekkpunktet er ikke signert med kommunens nøkkel.",
        "no_map": "Sjekkpunktet forplikter seg ikke til barnas innsynskjeder.",
        "map": "Barnets kjede står ikke i sjekkpunktets kart: rapporten hører ikke til dette sjekkpunktet.",
        "altered": "Linje {line} er endret: innholdet gir ikke lenken som er signert.",
        "removed": "Det mangler et innsyn før linje {line}: linjen følger ikke linjen før.",
        "not_covered": "Linje {line} og de etter den er ikke dekket av sjekkpunkt {size}: "
                       "de er gjort etter det, eller står ikke i loggen.",
        "incomplete": "Rapporten er ikke fullstendig: {missing} innsyn fram til sjekkpunkt {size} mangler på slutten.",
        "head": "Linjene ender ikke i kjeden som sjekkpunkt {size} signerte.",
    },
    "en": {
        "complete": "Complete: all {count} accesses to the child's data up to checkpoint {size}, "
                    "signed at {signed_at}, are in the report, and none is altered.",
        "format": "The file is not an access report from Bekymring: {detail}.",
        "key": "The key is not valid: {detail}.",
        "signature": "The checkpoint is not signed with the municipality's key.",
        "no_map": "The checkpoint does not commit to the children's access chains.",
        "map": "The child's chain is not in the checkpoint's map: the report does not belong to this checkpoint.",
        "altered": "Line {line} is altered: its content does not give the link that was signed.",
        "removed": "An access is missing before line {line}: the line does not follow the line before it.",
        "not_covered": "Line {line} and those after it are not covered by checkpoint {size}: "
                       "they were made after it, or are not in the log.",
        "incomplete": "The report is not complete: {missing} accesses up to checkpoint {size} are missing at the end.",
        "head": "The lines do not end in the chain checkpoint {size} signed.",
    },
}


@dataclass
class Verdict:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code == "complete"

    def text(self, lang: str = "nb") -> str:
        return MESSAGES[lang][self.code].format(**self.params)


class _Bad(Exception):
    def __init__(self, code: str, **params: Any):
        self.verdict = Verdict(code, params)


def _hash(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise _Bad("format", detail=f"{what} is missing")
    try:
        return unb64(value, what)
    except ValueError as e:
        raise _Bad("format", detail=str(e)) from None


def verify_report(report: Any, verifier_key: str) -> Verdict:
    try:
        return _verify(report, verifier_key)
    except _Bad as bad:
        return bad.verdict


def read_report(data: bytes) -> Any:
    """The report from a file's bytes, as the static page reads them: UTF-8
    (a leading BOM is no matter), JSON without NaN or Infinity."""
    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(data.decode("utf-8-sig"), parse_constant=refuse)
    except (ValueError, RecursionError):
        raise _Bad("format", detail="the file is not JSON") from None


def verify_report_bytes(data: bytes, verifier_key: str) -> Verdict:
    """The verdict on a report file's bytes (`intranet audit verify-report`)."""
    try:
        return _verify(read_report(data), verifier_key)
    except _Bad as bad:
        return bad.verdict


def _verify(report: Any, verifier_key: str) -> Verdict:
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        raise _Bad("format", detail=f"format is not {REPORT_FORMAT}")
    try:
        key_name, public_key = parse_verifier_key(verifier_key)
    except CheckpointError as e:
        raise _Bad("key", detail=str(e)) from None
    try:
        cp = parse_checkpoint(report.get("checkpoint"))
    except CheckpointError as e:
        raise _Bad("format", detail=f"the checkpoint {e}") from None
    if check_checkpoint_signature(cp, key_name, public_key) is not None:
        raise _Bad("signature")
    commitment = map_commitment(cp.text)
    if commitment is None:
        raise _Bad("no_map")
    size = cp.size

    chain_map, accesses = report.get("map"), report.get("accesses")
    if not isinstance(chain_map, dict) or not isinstance(accesses, list):
        raise _Bad("format", detail="map or accesses is missing")
    index, count, proof = chain_map.get("index"), chain_map.get("count"), chain_map.get("proof")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (index, count)) \
            or not isinstance(proof, list):
        raise _Bad("format", detail="the map's index, count or proof is missing")
    if count >= 1 << 64:  # the map's leaf holds it in 8 bytes
        raise _Bad("format", detail="the map's count is too large")
    head = _hash(chain_map.get("head"), "head")
    leaf = MapLeaf(_hash(report.get("child_key"), "child_key"), count, head)
    path = [_hash(p, "proof") for p in proof]
    if root_from_inclusion(index, commitment.size, map_leaf_hash(leaf), path) != commitment.root:
        raise _Bad("map")

    link = CHAIN_START
    for n, access in enumerate(accesses, start=1):
        if not isinstance(access, dict) or not isinstance(access.get("entry"), dict):
            raise _Bad("format", detail=f"line {n} has no entry")
        entry = access["entry"]
        if any(not isinstance(entry.get(f), (str, type(None))) for f in ENTRY_FIELDS if f != "records") \
                or not isinstance(entry.get("records"), list) \
                or not all(isinstance(r, str) for r in entry["records"]):
            raise _Bad("format", detail=f"line {n}'s entry is malformed")
        previous, stated = _hash(access.get("previous"), "previous"), _hash(access.get("link"), "link")
        try:
            computed = next_link(previous, _hash(access.get("leaf"), "leaf"), entry)
        except ValueError:
            raise _Bad("altered", line=n) from None
        if computed != stated:
            raise _Bad("altered", line=n)
        if previous != link:
            raise _Bad("removed", line=n)
        link = stated
        if n == count:
            if link != head:
                raise _Bad("head", size=size)
            if n < len(accesses):
                raise _Bad("not_covered", line=n + 1, size=size)
    if len(accesses) < count or link != head:
        raise _Bad("incomplete", missing=max(count - len(accesses), 1), size=size)
    return Verdict("complete", {"count": count, "size": size, "signed_at": commitment.signed_at})
