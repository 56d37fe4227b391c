"""Public import path (docs/plugins.md): the plugin manager lives in ``vliegwiel.core.plugins``."""

from vliegwiel.core.plugins import PluginError, create_plugin_manager, describe_plugins
from vliegwiel.surveys.loader import collect_question_types

__all__ = ["PluginError", "collect_question_types", "create_plugin_manager", "describe_plugins"]
