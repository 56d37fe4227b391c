"""One base for every error vliegwiel raises on purpose (after pyxform's PyXFormError).

A ``VliegwielError`` carries a stable ``code`` (for scripts, tests and logs: it never changes
with the language), a ``context`` dict (what the message is about: a file, a line, a survey)
and a message for a person. Callers that show errors catch this one class: the CLI prints
the message as one line and exits 1, a web page shows it in the resident's language.
"""

from __future__ import annotations

from typing import Any, ClassVar


class VliegwielError(Exception):
    """An expected failure with a stable code, its context and a message for a person."""

    #: Stable identifier of the kind of error, e.g. ``"storage"``; subclasses set their own.
    code: ClassVar[str] = "error"

    def __init__(self, message: str = "", **context: Any) -> None:
        super().__init__(message)
        self.context: dict[str, Any] = context

    @property
    def message(self) -> str:
        return str(self)
