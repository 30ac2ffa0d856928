"""Where templates and static files are: inside the installed package, or beside
it in a source checkout (the layout keeps them at the top of the repository)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory near {_PACKAGE}")


def templates_dir() -> Path:
    return _find("templates")


def static_dir() -> Path:
    return _find("static")
