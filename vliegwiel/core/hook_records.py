"""Records plugins return from hooks: a link in the organiser menu, a part of a share bundle.

A leaf module (no vliegwiel imports) so that ``vliegwiel.hookspecs`` can name them without an
import cycle; plugins import them from ``vliegwiel.plugin_support``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OrganiserLink:
    """A link in the organiser menu (``vliegwiel_organiser_links``): ``label`` as shown
    (translate it), ``url`` a path of the app (``url_for(...)``), shown only to accounts with
    ``role`` (``"beheerder"``, or ``None`` for every logged-in team member)."""

    label: str
    url: str
    role: str | None = "beheerder"


@dataclass(frozen=True)
class ShareSection:
    """A plugin's part of a survey's share bundle (``vliegwiel_share_sections``).

    ``plugin`` names the plugin (lower case, like ``"stellingen"``), ``title`` says what it
    holds, ``data`` is a JSON object of *published* numbers only: protected exactly as on the
    plugin's public pages (a hidden count is ``None``), never a response, a participant or a
    free text that was not approved for publication."""

    plugin: str
    title: str
    data: dict[str, Any]
