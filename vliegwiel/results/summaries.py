"""What a theme plugin reports over all responses of a survey (``vliegwiel_survey_summary``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One line of a summary: a label and its value as the reader should see it.

    ``value`` is ``None`` when it was hidden by small-group protection; pages then show
    "verborgen" instead of a number.
    """

    label: str
    value: str | None
    note: str = ""


@dataclass(frozen=True)
class Summary:
    """Theme-level findings, shown on results pages, in PDF reports and in share bundles."""

    plugin: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "plugin": self.plugin,
            "title": self.title,
            "findings": [
                {"label": f.label, "value": f.value, "note": f.note} for f in self.findings
            ],
            "note": self.note,
        }
