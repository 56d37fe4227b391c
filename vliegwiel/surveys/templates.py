"""Survey templates that plugins offer (``vliegwiel_survey_templates``), and adding them.

The organiser page, ``vliegwiel survey templates|add``, the demo and plugin authors' test
fixtures all go through here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.village import Village
from vliegwiel.surveys.loader import SurveyError, load_survey_file
from vliegwiel.surveys.schema import Survey


class TemplateError(VliegwielError):
    """A template that cannot be added; the message says why (in English, for logs and CLI)."""

    code = "template"


@dataclass
class SurveyTemplate:
    """One template file a plugin offers, as the organiser sees it."""

    name: str
    plugin: str
    path: Path
    survey: Survey | None
    problems: list[str]
    #: True when the instance already has a survey with this id.
    present: bool


def available_templates(village: Village) -> list[SurveyTemplate]:
    """Every template of every plugin, loaded with the instance's question types."""
    found = []
    for plugin, paths in village.call_hook("vliegwiel_survey_templates"):
        for raw in paths:
            path = Path(raw)
            try:
                survey = load_survey_file(path, village.question_types)
            except SurveyError as error:
                problems = [str(p) for p in error.problems]
                found.append(SurveyTemplate(path.stem, plugin, path, None, problems, False))
                continue
            present = village.surveys.get(survey.id) is not None
            found.append(SurveyTemplate(path.stem, plugin, path, survey, [], present))
    return sorted(found, key=lambda t: (t.plugin, t.name))


def add_template(village: Village, name: str) -> SurveyTemplate:
    """Copy template ``name`` (its file name without .yaml) into the instance's surveys/."""
    templates = available_templates(village)
    template = next((t for t in templates if t.name == name), None)
    if template is None:
        known = ", ".join(t.name for t in templates) or "-"
        raise TemplateError(
            _("onbekend sjabloon '%(name)s' (beschikbaar: %(known)s)", name=name, known=known)
        )
    if template.survey is None:
        raise TemplateError(
            _("het sjabloon is kapot:") + "\n" + "\n".join(map(str, template.problems))
        )
    if template.present:
        raise TemplateError(
            _("er is al een enquête '%(id)s' in deze omgeving", id=template.survey.id)
        )
    target = village.instance_dir / "surveys" / template.path.name
    if target.exists():
        raise TemplateError(_("%(path)s bestaat al", path=target))
    shutil.copyfile(template.path, target)
    return template
