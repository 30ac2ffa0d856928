"""Build hook: compile the Babel message catalogues (.po → .mo) at build time,
for wheels and editable installs alike."""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogues(root: Path) -> list[Path]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted((root / "intranet" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo_path)
    return written


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        for mo_path in compile_catalogues(Path(self.root)):
            relative = mo_path.relative_to(self.root).as_posix()
            build_data.setdefault("force_include", {})[str(mo_path)] = relative
