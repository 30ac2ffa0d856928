"""What an operator may set for the read models, given to them by whoever builds
them (the web app, the CLI, the bench: from `intranet.settings.Settings`). The
read models never read the environment themselves, so a rebuild's helper
process gets the same values as the first process, in its start message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadModelConfig:
    # The access log's anomaly rules (projections/access_log.py).
    office_hours: tuple[int, int] = (7, 18)  # [start, end) in Oslo hours, Monday to Friday
    max_children_per_hour: int = 30  # distinct children one user may see in a clock hour
    # The ledger (projections/ledger.py).
    checkpoint_every: int = 1000  # rows between signed checkpoints
    checkpoint_seconds: float = 60.0  # at most this long between a row's arrival and a checkpoint covering it
    witness_file: str | None = None  # where each checkpoint is appended as signed; None: in the data directory
    ledger_origin: str | None = None  # names the log in its checkpoints; None: bekymring.local/<app name>

    def __post_init__(self) -> None:
        start, end = self.office_hours
        if not 0 <= start <= end <= 24:
            raise ValueError(f"office hours {start}-{end}: want START-END with 0 <= START <= END <= 24")
        if self.max_children_per_hour < 1:
            raise ValueError(f"max children per hour {self.max_children_per_hour}: want at least 1")
        if self.checkpoint_every < 1:
            raise ValueError(f"checkpoint every {self.checkpoint_every} rows: want at least 1")
        if not self.checkpoint_seconds > 0:
            raise ValueError(f"checkpoint every {self.checkpoint_seconds} seconds: want more than 0")
        if self.witness_file is not None and not self.witness_file.strip():
            raise ValueError("witness file: want a path")
        origin = self.ledger_origin
        # The origin is also the signing key's name in a signed note: one word, no '+'.
        if origin is not None and (not origin or "+" in origin or not all(c.isprintable() and not c.isspace()
                                                                            for c in origin)):
            raise ValueError(f"ledger origin {origin!r}: want one word without spaces, '+' or control characters")

    def origin_of(self, app_name: str) -> str:
        return self.ledger_origin or f"bekymring.local/{app_name}"


DEFAULTS = ReadModelConfig()  # what an unset variable means
