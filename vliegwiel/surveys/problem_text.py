"""Survey file problems in plain Dutch, for organisers who read the interface in Dutch.

The loader, the schema and the question types write their problems in English (the language
of ``vliegwiel check`` on an English instance and of the code). The common ones, above all
pydantic's ("Field required", "Extra inputs are not permitted", wrong types), are rewritten
here as a Dutch sentence; a message this module does not know stays as it is. FILE:LINE is
not part of the message, so it is kept whatever the language.
"""

from __future__ import annotations

import re

#: (English message pattern, Dutch replacement); the first that matches wins.
_SENTENCES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), d)
    for p, d in (
        (r"^question '([^']*)': (.+)$", "vraag '\\1': {rest}"),
        (r"^(.+): Field required$", "'\\1' ontbreekt; dit veld is verplicht"),
        (r"^Field required$", "een verplicht veld ontbreekt"),
        (
            r"^(.+): Extra inputs are not permitted$",
            "'\\1' is geen bekend veld (een tikfout of een verkeerde inspringing?)",
        ),
        (
            r"^(?:[^']*: )?'(.+)' is not a setting of type '(.+)'$",
            "'\\1' is geen instelling van type '\\2'",
        ),
        (r"^(.+): Input should be a valid string$", "\\1: hier hoort een tekst"),
        (
            r"^(.+): text must be a string or a mapping like \{nl: \.\.\., en: \.\.\.\}$",
            "\\1: hier hoort een tekst, of een tekst per taal zoals {nl: ..., en: ...}",
        ),
        (r"^(.+): Input should be a valid integer.*$", "\\1: hier hoort een heel getal"),
        (r"^(.+): Input should be a valid number.*$", "\\1: hier hoort een getal"),
        (r"^(.+): Input should be a valid boolean.*$", "\\1: hier hoort true of false"),
        (
            r"^(.+): Input should be a valid list$",
            "\\1: hier hoort een lijst (regels die met '- ' beginnen)",
        ),
        (
            r"^(.+): Input should be a valid dictionary.*$",
            "\\1: hier horen velden met een waarde (naam: waarde)",
        ),
        (r"^page id '([^']*)' is used twice$", "pagina-id '\\1' komt twee keer voor"),
        (r"^question id '([^']*)' is used twice$", "vraag-id '\\1' komt twee keer voor"),
        (r"^key '([^']*)' appears twice$", "'\\1' staat er twee keer"),
        (r"^unknown type '([^']*)' \(known: (.*)\)$", "onbekend vraagtype '\\1' (bekend: \\2)"),
        (r"^the file is empty$", "het bestand is leeg"),
        (r"^not UTF-8 text$", "het bestand is geen UTF-8-tekst"),
        (
            r"^a survey file must be a mapping \(id:, title:, \.\.\.\)$",
            "een enquêtebestand bestaat uit velden met een waarde (id:, title:, ...)",
        ),
        (r"^nested too deeply$", "te diep ingesprongen"),
        (r"^file is too large$", "het bestand is te groot"),
        (r"^file is larger than (\d+) KB$", "het bestand is groter dan \\1 KB"),
        (r"^larger than (\d+) KB$", "groter dan \\1 KB"),
        (r"^anchors and aliases.*$", "ankers en verwijzingen (*naam) zijn niet toegestaan"),
        (
            r"^(?:not valid YAML: )?a text starts with 's .*$",
            "een tekst begint met 's (zoals 's Avonds): zet de hele tekst tussen dubbele "
            "aanhalingstekens, zoals \"'s Avonds\"",
        ),
        (r"^not valid YAML: (.+)$", "geen geldige YAML: \\1"),
    )
]


def in_dutch(message: str) -> str:
    """The Dutch sentence for an English survey problem; unknown messages come back as given."""
    for pattern, dutch in _SENTENCES:
        match = pattern.match(message)
        if match is None:
            continue
        if "{rest}" in dutch:
            # "question 'x': <problem>": the problem itself is translated in turn.
            return match.expand(dutch.replace("{rest}", "")) + in_dutch(match.group(2))
        return match.expand(dutch)
    return message
