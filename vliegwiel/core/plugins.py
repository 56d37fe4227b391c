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
from vliegwiel.core.errors import VliegwielError

log = logging.getLogger(__name__)

#: The core's own capabilities, registered as plugins the way an outside plugin is (after
#: Datasette's default plugins). Registered first, so their pages and commands come first;
#: the allow-list never blocks them.
DEFAULT_PLUGINS = {
    "core:surveys": "vliegwiel.surveys.plugin",
    "core:vliegwiel.builtin_questions": "vliegwiel.surveys.builtin_questions",
    "core:accounts": "vliegwiel.accounts.plugin",
    "core:reach": "vliegwiel.reach.plugin",
    "core:results": "vliegwiel.results.plugin",
    "core:rounds": "vliegwiel.rounds.plugin",
    "core:commands": "vliegwiel.cli.plugin",
}
ENTRY_POINT_GROUP = "vliegwiel"


class PluginError(VliegwielError):
    """A plugin cannot be loaded or contradicts another; start-up stops with this message."""

    code = "plugin"


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
    *,
    entry_point_plugins: bool = True,
) -> pluggy.PluginManager:
    """A fresh manager: core defaults, entry points, the instance's plugins/ folder, extras."""
    pm = pluggy.PluginManager("vliegwiel")
    pm.add_hookspecs(hookspecs)
    allowed = allowed_plugins(allow)
    for name, module_name in DEFAULT_PLUGINS.items():
        pm.register(importlib.import_module(module_name), name=name)
    if entry_point_plugins:
        _load_entry_points(pm, allowed)
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


def _load_entry_points(pm: pluggy.PluginManager, allowed: set[str] | None) -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            pm.set_blocked(ep.name)
    try:
        # pluggy's own loader records each plugin's distribution (name and version).
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except Exception as error:
        raise PluginError(f"an installed plugin failed to load: {error!r}") from error


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
