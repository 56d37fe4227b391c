"""The per-app plugin manager: discovery, the allow-list, and start-up checks."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from vliegwiel import hookspecs
from vliegwiel.question_types import QuestionType

log = logging.getLogger(__name__)

#: Core modules that implement hooks themselves: built-in behaviour is a plugin too.
DEFAULT_PLUGINS = ("vliegwiel.builtin_questions",)
ENTRY_POINT_GROUP = "vliegwiel"


class PluginError(Exception):
    """A plugin cannot be loaded or contradicts another; start-up stops with this message."""


@dataclass
class PluginProblems:
    """Errors raised by plugins while serving; shown to organisers, never to residents."""

    entries: list[dict[str, str]] = field(default_factory=list)

    def record(self, plugin: str, hook: str, error: BaseException) -> None:
        log.exception("plugin %s failed in %s", plugin, hook, exc_info=error)
        self.entries.append({"plugin": plugin, "hook": hook, "error": repr(error)})
        del self.entries[:-50]  # keep the newest; this is a notice board, not a log


def allowed_plugins(configured: Iterable[str] | None) -> set[str] | None:
    """The allow-list: ``VLIEGWIEL_PLUGINS`` (comma-separated) wins over vliegwiel.toml.

    ``None`` means every installed plugin may load; an empty set means none.
    """
    env = os.environ.get("VLIEGWIEL_PLUGINS")
    if env is not None:
        return {name.strip() for name in env.split(",") if name.strip()}
    return None if configured is None else set(configured)


def create_plugin_manager(
    instance_plugins_dir: Path | None = None,
    allow: Iterable[str] | None = None,
    extra: Iterable[Any] = (),
) -> pluggy.PluginManager:
    """A fresh manager: core defaults, entry points, the instance's plugins/ folder, extras."""
    pm = pluggy.PluginManager("vliegwiel")
    pm.add_hookspecs(hookspecs)
    allowed = allowed_plugins(allow)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=f"core:{module_name}")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            pm.set_blocked(ep.name)
    try:
        # pluggy's own loader records each plugin's distribution (name and version).
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except Exception as error:
        raise PluginError(f"an installed plugin failed to load: {error!r}") from error
    if instance_plugins_dir is not None and instance_plugins_dir.is_dir():
        for path in sorted(instance_plugins_dir.glob("*.py")):
            if path.name.startswith("_") or (allowed is not None and path.stem not in allowed):
                continue
            pm.register(_load_file(path), name=path.stem)
    for plugin in extra:
        pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"a plugin implements an unknown hook: {error}") from error
    return pm


def _load_file(path: Path) -> ModuleType:
    module_name = f"vliegwiel_instance_plugin_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise PluginError(f"{path}: failed to load: {error}") from error
    return module


def call_implementation(impl: Any, hook: str, kwargs: dict[str, Any]) -> Any:
    """Call one plugin's implementation with the arguments it asks for.

    vliegwiel calls hooks plugin by plugin (to isolate failures and name culprits), so this is
    also where ``VLIEGWIEL_TRACE_PLUGINS=1`` prints each call and its result to stderr.
    """
    args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
    result = impl.function(**args)
    if os.environ.get("VLIEGWIEL_TRACE_PLUGINS"):
        shown = repr(result)
        print(f"[vliegwiel] {hook} ({impl.plugin_name}) -> {shown[:200]}", file=sys.stderr)
    return result


def plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    return pm.get_name(plugin) or repr(plugin)


def collect_question_types(pm: pluggy.PluginManager) -> dict[str, QuestionType]:
    """Every question type by name; two plugins claiming one name is a start-up error."""
    types: dict[str, QuestionType] = {}
    owners: dict[str, str] = {}
    # Call each implementation separately so a clash can name both plugins.
    for impl in reversed(pm.hook.vliegwiel_question_types.get_hookimpls()):
        owner = impl.plugin_name
        for qtype in call_implementation(impl, "vliegwiel_question_types", {}) or []:
            if not isinstance(qtype, QuestionType) or not qtype.name:
                raise PluginError(f"plugin '{owner}' returned {qtype!r}, not a named QuestionType")
            if qtype.name in types:
                raise PluginError(
                    f"question type '{qtype.name}' is registered by both "
                    f"'{owners[qtype.name]}' and '{owner}'"
                )
            types[qtype.name] = qtype
            owners[qtype.name] = owner
    return types


def describe_plugins(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """Name, version and hooks of every plugin (``vliegwiel plugins``)."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    result = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        if name.startswith("core:"):
            from vliegwiel import __version__

            version = __version__
        else:
            version = dist.version if dist is not None else getattr(plugin, "__version__", "")
        result.append({"name": name, "version": version or "", "hooks": hooks})
    return result
