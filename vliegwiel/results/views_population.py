"""The organiser's population figures for a survey: typed in per answer, with a CBS
Kerncijfers wijken en buurten CSV shown alongside to copy from.

Beheerders only. The figures are public statistics (CBS publishes them), never about a
respondent; they drive the "who answered" comparison and optional weighting.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from vliegwiel.accounts.views import require_role
from vliegwiel.results.population import (
    MAX_CSV_BYTES,
    MAX_RESIDENTS,
    PopulationError,
    load_margins,
    option_values,
    population_questions,
    read_cbs_csv,
    save_margins,
)
from vliegwiel.results.views import bp
from vliegwiel.web.context import current_village, survey_or_404
from vliegwiel.web.i18n import localise


def field_name(question_id: str, value: str) -> str:
    return f"m-{question_id}-{value}"


@bp.route("/beheer/uitslag/<survey_id>/bevolking", methods=["GET", "POST"])
@require_role("beheerder")
def population(survey_id: str):
    village = current_village()
    survey = survey_or_404(survey_id)
    questions = population_questions(survey)
    form = FlaskForm()
    margins = load_margins(village.storage, survey.id)
    typed: dict[str, str] = {}
    problems: list[str] = []
    regions = None
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "csv":
            upload = request.files.get("cbs")
            if upload is None or not upload.filename:
                problems.append(_("Kies een CSV-bestand van CBS."))
            else:
                try:
                    regions = read_cbs_csv(upload.read(MAX_CSV_BYTES + 1))
                except PopulationError:
                    problems.append(
                        _(
                            "Dit bestand is geen CSV met CBS Kerncijfers (zoals 'Aantal "
                            "inwoners' of '65 jaar of ouder')."
                        )
                    )
        else:
            typed = {key: value.strip() for key, value in request.form.items()}
            entered, problems = _read_form(questions, typed)
            if not problems:
                try:
                    save_margins(village.storage, survey, entered)
                except PopulationError:
                    problems.append(_("Vul bij elke vraag een getal in voor elk antwoord."))
                else:
                    flash(_("De bevolkingscijfers zijn bewaard."))
                    return redirect(url_for("results.population", survey_id=survey.id))
    elif request.method == "POST":
        problems.append(_("Het formulier is verlopen. Probeer het opnieuw."))
    values = {field_name(q, v): str(n) for q, groups in margins.items() for v, n in groups.items()}
    values.update({k: v for k, v in typed.items() if k.startswith("m-")})
    return render_template(
        "results/population.html",
        survey=survey,
        questions=questions,
        values=values,
        field_name=field_name,
        problems=problems,
        regions=regions,
        form=form,
    ), (400 if problems else 200)


def _read_form(questions, typed: dict[str, str]) -> tuple[dict[str, dict[str, int]], list[str]]:
    """The margins typed in: a question counts when any of its answers has a number; then
    all of them need one (0 is allowed)."""
    margins: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    for question in questions:
        cells = {v: typed.get(field_name(question.id, v), "") for v in option_values(question)}
        if not any(cells.values()):
            continue
        groups = {}
        for value, text in cells.items():
            number = text.replace(".", "").replace(" ", "")
            if not number.isdigit() or int(number) > MAX_RESIDENTS:
                problems.append(
                    _(
                        "Vul bij '%(question)s' voor elk antwoord een heel getal in (0 mag).",
                        question=localise(question.text),
                    )
                )
                break
            groups[value] = int(number)
        else:
            if sum(groups.values()) == 0:
                problems.append(
                    _("Bij '%(question)s' zijn alle getallen 0.", question=localise(question.text))
                )
            else:
                margins[question.id] = groups
    return margins, problems
