"""Every hook is documented with its exact signature and has a test of its own.

After Datasette's tests/test_docs.py and tests/test_plugins.py: adding a hook to
hookspecs.py without a heading in docs/plugins.md or a ``test_hook_<name>`` fails here.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from vliegwiel import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
HOOKS = sorted(
    name
    for name, value in vars(hookspecs).items()
    if name.startswith("vliegwiel_") and inspect.isfunction(value)
)


def signature(name: str) -> str:
    """``vliegwiel_response_indicators(survey, answers)``: the form the docs use."""
    params = inspect.signature(getattr(hookspecs, name)).parameters
    return f"{name}({', '.join(params)})"


def headings() -> set[str]:
    text = DOCS.read_text(encoding="utf-8")
    return {
        m.group(1).strip().strip("`") for m in re.finditer(r"^#{2,4} (.+)$", text, re.MULTILINE)
    }


def test_hookspecs_declare_hooks():
    assert len(HOOKS) >= 7, HOOKS


def test_every_hookspec_has_a_docstring():
    missing = [name for name in HOOKS if not (getattr(hookspecs, name).__doc__ or "").strip()]
    assert not missing


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_heading_with_its_exact_signature(hook):
    assert signature(hook) in headings(), f"docs/plugins.md needs a heading `{signature(hook)}`"


def test_docs_document_no_hook_that_does_not_exist():
    documented = {h.split("(")[0] for h in headings() if h.startswith("vliegwiel_") and "(" in h}
    assert documented <= set(HOOKS), documented - set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test_of_its_own(hook):
    pattern = re.compile(rf"^def test_hook_{hook}\b", re.MULTILINE)
    files = [p for p in (ROOT / "tests").rglob("test_*.py") if pattern.search(p.read_text("utf-8"))]
    assert files, f"no test named test_hook_{hook} in tests/"
