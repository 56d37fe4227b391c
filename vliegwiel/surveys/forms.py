"""WTForms forms built at run time from the questions of one survey page."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from vliegwiel.surveys.question_types import AnswerError, QuestionType
from vliegwiel.surveys.schema import Question


class AnswerForm(FlaskForm):
    """Base of every generated page form; CSRF comes from FlaskForm."""


def build_form(
    question_types: dict[str, QuestionType],
    questions: list[Question],
    answers: dict[str, Any] | None = None,
    formdata: Any = None,
) -> AnswerForm:
    """A form for ``questions``, pre-filled from ``answers`` or bound to ``formdata``."""
    attrs: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for question in questions:
        qtype = question_types[question.type]
        attrs.update(qtype.fields(question))
        if answers and question.id in answers:
            data.update(qtype.form_data(question, answers[question.id]))
    form_class = type("PageForm", (AnswerForm,), attrs)
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, data=data)


def read_answers(
    question_types: dict[str, QuestionType], questions: list[Question], form: AnswerForm
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers in a submitted form and the error message per question id."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            answer = question_types[question.type].read(question, form)
        except AnswerError as error:
            errors[question.id] = str(error)
            continue
        if answer is not None:
            answers[question.id] = answer
    return answers, errors
