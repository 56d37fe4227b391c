"""Crafted small groups for the results tests (pages, PDF, bundle): imported, no tests.

The survey ``wijkpeiling`` is broken down by ``wijk``. Noord has 10 respondents, Zuid 8 and
Oost 3. Oost is below k=5, so its count is hidden; Zuid (8) must then be hidden too
(complementary), or Oost = total - Noord - Zuid. In the breakdown of ``mening`` the row of
Noord holds a 3 ("nee"), so its 7 ("ja") must be hidden as well: the row total is shown.
"""

from __future__ import annotations

from pathlib import Path

from vliegwiel.surveys.responses import save_response

SURVEY = """\
id: wijkpeiling
title: Wijkpeiling
breakdown: wijk
pages:
  - id: p1
    questions:
      - id: wijk
        type: single_choice
        text: In welke wijk woont u?
        options:
          - {value: noord, label: Noord}
          - {value: zuid, label: Zuid}
          - {value: oost, label: Oostkant}
      - id: mening
        type: yes_no
        text: Moet de speeltuin blijven?
      - id: idee
        type: long_text
        text: Heeft u een idee voor de speeltuin?
"""

#: (wijk, mening, how many)
GROUPS = [
    ("noord", "ja", 7),
    ("noord", "nee", 3),
    ("zuid", "ja", 6),
    ("zuid", "nee", 2),
    ("oost", "ja", 1),
    ("oost", "nee", 2),
]

HOSTILE = '<script>alert(1)</script> {{7*7}} <img src="file:///etc/passwd">'
UNAPPROVED = "Niet-goedgekeurde tekst van Jan Jansen, Dorpsstraat 3"


def write_wijkpeiling(instance: Path) -> None:
    (instance / "surveys" / "wijkpeiling.yaml").write_text(SURVEY, encoding="utf-8")


def fill_wijkpeiling(village) -> list[dict]:
    """Save the crafted responses; five carry a text: the hostile one, a private one (never
    approved) and three ordinary ones, so the text question reaches k=5."""
    survey = village.surveys.get("wijkpeiling")
    saved = []
    texts = [HOSTILE, UNAPPROVED, "Meer bankjes", "Een glijbaan", "Schaduw bij de zandbak"]
    for wijk, mening, n in GROUPS:
        for _ in range(n):
            answers = {"wijk": wijk, "mening": mening}
            if texts:
                answers["idee"] = texts.pop(0)
            saved.append(save_response(village, survey, answers))
    return saved
