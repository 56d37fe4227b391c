"""Public import path (docs/plugins.md): the application factory lives in ``vliegwiel.web.app``."""

from vliegwiel.web.app import create_app
from vliegwiel.web.context import current_village

__all__ = ["create_app", "current_village"]
