"""WTForms forms built at run time from the questions of one survey page."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from babel import support
from flask import current_app, g
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from vliegwiel.surveys.question_types import AnswerError, QuestionType
from vliegwiel.surveys.schema import Question

#: WTForms' own messages per locale. Flask-WTF parses the catalogue file again on every
#: request that builds a form (a tenth of a resident's page view, measured); it never changes
#: while the server runs, so it is read once per language.
_WTFORMS_TRANSLATIONS: dict[str, support.Translations] = {}


def _wtforms_translations() -> support.Translations:
    locale = str(get_locale())
    found = _WTFORMS_TRANSLATIONS.get(locale)
    if found is None:
        found = support.Translations.load(messages_path(), [locale], domain="wtforms")
        _WTFORMS_TRANSLATIONS[locale] = found
    return found


class AnswerForm(FlaskForm):
    """Base of every generated page form; CSRF comes from FlaskForm."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_translations()


#: Form classes by the questions they ask (and the language: a plugin's field may carry a
#: translated label). WTForms works out a new class's fields on its first use, which cost as
#: much as building the form itself; a survey's pages ask the same questions every time.
#: The entry keeps the question objects, so their ids stay theirs while it is cached; a
#: reloaded survey brings new objects and so new entries, and the oldest drop off.
_FORM_CLASSES: OrderedDict[tuple, tuple[tuple, type[AnswerForm]]] = OrderedDict()
_FORM_CLASSES_KEPT = 256
_FORM_CLASSES_LOCK = threading.Lock()


def _form_class(
    question_types: dict[str, QuestionType], questions: list[Question]
) -> type[AnswerForm]:
    held = (question_types, *questions)
    key = (str(get_locale()), *map(id, held))
    with _FORM_CLASSES_LOCK:
        found = _FORM_CLASSES.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], held, strict=True)):
            _FORM_CLASSES.move_to_end(key)
            return found[1]
    attrs: dict[str, Any] = {}
    for question in questions:
        attrs.update(question_types[question.type].fields(question))
    form_class = type("PageForm", (AnswerForm,), attrs)
    with _FORM_CLASSES_LOCK:
        _FORM_CLASSES[key] = (held, form_class)
        while len(_FORM_CLASSES) > _FORM_CLASSES_KEPT:
            _FORM_CLASSES.popitem(last=False)
    return form_class


def build_form(
    question_types: dict[str, QuestionType],
    questions: list[Question],
    answers: dict[str, Any] | None = None,
    formdata: Any = None,
    *,
    read_only: bool = False,
) -> AnswerForm:
    """A form for ``questions``, pre-filled from ``answers`` or bound to ``formdata``.

    ``read_only``: the submitted form is only validated and read, never shown again. When
    the app-wide CSRFProtect has already checked this request's token (``g.csrf_valid``), the
    form then gets no CSRF field: the form would not check the token again anyway, and its
    field would sign a fresh token for a page that is never drawn. Without that check (CSRF
    turned off in a test, say) the form keeps its field and checks it as before.
    """
    data: dict[str, Any] = {}
    for question in questions:
        if answers and question.id in answers:
            qtype = question_types[question.type]
            data.update(qtype.form_data(question, answers[question.id]))
    form_class = _form_class(question_types, questions)
    if formdata is not None:
        if read_only and g.get("csrf_valid", False):
            return form_class(formdata=formdata, meta={"csrf": False})
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
