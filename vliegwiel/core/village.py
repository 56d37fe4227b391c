"""One village instance at run time, without a web app: settings, storage and plugins.

The web app keeps one ``Village`` in ``app.extensions["vliegwiel"]``; the CLI builds one per
command. Capabilities fill in what they own at start-up through ``vliegwiel_startup`` (the
surveys capability loads the question types and surveys, reach adds its guards), the same
way an outside plugin would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from vliegwiel.core.config import VillageConfig, load_config
from vliegwiel.core.plugins import PluginProblems, call_implementation, create_plugin_manager
from vliegwiel.core.storage import backup_key
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.core.storage_contract import RecordStore

if TYPE_CHECKING:
    from vliegwiel.surveys.loader import SurveyRegistry
    from vliegwiel.surveys.question_types import QuestionType
    from vliegwiel.surveys.schema import Survey


@dataclass
class Village:
    """Everything one instance needs at run time."""

    config: VillageConfig
    instance_dir: Path
    storage: RecordStore
    pm: pluggy.PluginManager
    #: Filled in at start-up by the surveys capability (``vliegwiel_startup``).
    question_types: dict[str, QuestionType] = field(default_factory=dict)
    surveys: SurveyRegistry = field(default=None)  # type: ignore[assignment]
    problems: PluginProblems = field(default_factory=PluginProblems)
    #: Callables ``(survey) -> response | None`` run before a resident may answer; a
    #: response (a redirect to the code page, say) stops them. Capabilities add these at
    #: start-up.
    answer_guards: list[Callable[[Survey], Any]] = field(default_factory=list)
    #: Context-manager factories ``(survey, extra) -> ContextManager`` wrapped around saving a
    #: web response: they may refuse (raise), add fields to ``extra``, and finish their own
    #: bookkeeping (mark a code used) only when the save succeeded.
    submission_guards: list[Callable[[Survey, dict], Any]] = field(default_factory=list)
    #: Callables ``(survey) -> str | None``: the id of a draft that one respondent shares
    #: across devices (a linked code's draft), or None to leave it to the next one and finally
    #: to the browser's own draft cookie.
    draft_keys: list[Callable[[Survey], str | None]] = field(default_factory=list)
    #: Callables ``(round) -> str | None`` that say who a round participant is (an
    #: invitation code's id, say), or None to leave it to the next one or the browser id.
    #: They may abort (redirect to a code page) when the round needs a code.
    participant_resolvers: list[Callable[[dict], str | None]] = field(default_factory=list)

    def call_hook(self, name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook plugin by plugin, so one failing plugin cannot stop the others.

        Returns (plugin name, result) for every non-None result, in the order the plugins
        were registered (the core's default plugins first). A failure is logged and shown
        to organisers on the dashboard.
        """
        results = []
        caller = getattr(self.pm.hook, name)
        for impl in reversed(caller.get_hookimpls()):
            try:
                result = call_implementation(impl, name, kwargs)
            except Exception as error:
                self.problems.record(impl.plugin_name, name, error)
                continue
            if result is not None:
                results.append((impl.plugin_name, result))
        return results


def build_village(instance_dir: Path, extra_plugins: tuple = ()) -> Village:
    """Load an instance (the web app and every CLI command use this)."""
    instance_dir = Path(instance_dir).resolve()
    config = load_config(instance_dir)
    storage = open_storage(config)
    storage.signing_key = backup_key(config.secret_key)
    storage.migrate(instance_dir / "backups")
    pm = create_plugin_manager(instance_dir / "plugins", config.plugins, extra_plugins)
    village = Village(config, instance_dir, storage, pm)
    # Not call_hook: a failure at start-up must stop start-up, not be noted and skipped.
    pm.hook.vliegwiel_startup(village=village)
    return village
