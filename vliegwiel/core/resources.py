"""Where the files that ship with vliegwiel live, in a wheel and in a source checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# In the repository, templates/ and surveys/ sit at the top level; the wheel puts them inside
# the package (see [tool.hatch.build.targets.wheel.force-include] in pyproject.toml).
_SOURCE_ROOT = PACKAGE_DIR.parent


def _shipped(name: str, inside_name: str | None = None) -> Path:
    inside = PACKAGE_DIR / (inside_name or name)
    return inside if inside.is_dir() else _SOURCE_ROOT / name


def templates_dir() -> Path:
    return _shipped("templates")


def bundled_surveys_dir() -> Path:
    # Not "surveys" inside the package: that name is the surveys capability package.
    return _shipped("surveys", "bundled_surveys")


def static_dir() -> Path:
    return PACKAGE_DIR / "static"


def translations_dir() -> Path:
    return PACKAGE_DIR / "translations"
