"""The layout keeps its promises: the layering contract covers every module, and no module
reaches into another's private names (docs/architecture.md)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "vliegwiel"
CAPABILITIES = ("surveys", "reach", "results", "rounds", "accounts")


def contract(name_part: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (found,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if name_part in c["name"]
    ]
    return found


def capability_modules() -> set[str]:
    return {
        f"vliegwiel.{cap}.{path.stem}"
        for cap in CAPABILITIES
        for path in (PACKAGE / cap).glob("*.py")
        if path.stem != "__init__"
    }


def test_every_capability_module_is_placed_in_a_layer():
    layered = contract("domain code")
    domain = set(layered["source_modules"])
    upper = {m for m in layered["forbidden_modules"] if m.count(".") == 2}
    modules = capability_modules()
    unplaced = modules - domain - upper
    assert not unplaced, f"add these to the layering contract in pyproject.toml: {unplaced}"
    assert not (domain | upper) - modules - {"vliegwiel.web.app", "vliegwiel.web.context"}
    assert not domain & upper


def test_no_module_imports_a_private_name_of_another():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vliegwiel"):
                # Dunder names (``__version__``) are public by convention.
                private = [
                    a.name
                    for a in node.names
                    if a.name.startswith("_") and not a.name.endswith("__")
                ]
                if private:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {private}")
    assert not offenders
