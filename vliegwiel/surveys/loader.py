"""Survey files: YAML in, a validated Survey out, every problem as ``FILE:LINE: message``."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy
import yaml
from pydantic import ValidationError

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.plugins import PluginError, call_implementation
from vliegwiel.surveys.condition_check import condition_problems
from vliegwiel.surveys.problem_text import in_dutch
from vliegwiel.surveys.question_types import QuestionType
from vliegwiel.surveys.schema import Survey

#: Limits that keep a hostile or broken file from exhausting the server.
MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 30
MAX_NODES = 50_000


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def localised(self, language: str) -> str:
        """The message in ``language``: Dutch for "nl" (common problems), else as written."""
        return in_dutch(self.message) if language == "nl" else self.message

    def shown(self, language: str) -> str:
        """FILE:LINE: message, in ``language``."""
        return f"{self.file}:{self.line}: {self.localised(language)}"


class SurveyError(VliegwielError):
    """A survey file that cannot be used; ``problems`` lists every reason with its line."""

    code = "survey"

    def __init__(self, problems: list[Problem]):
        # In line order, as a reader goes through the file (pydantic, the structure checks and
        # the question types each find theirs in their own order).
        problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: survey files never need them, bombs do."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct(loader: yaml.SafeLoader, root: yaml.Node, file: str) -> tuple[Any, dict]:
    """Plain data plus the line of every path in it, for error messages."""
    lines: dict[tuple, int] = {}
    count = 0

    def build(node: yaml.Node, path: tuple, depth: int) -> Any:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH:
            raise SurveyError([Problem(file, node.start_mark.line + 1, "nested too deeply")])
        if count > MAX_NODES:
            raise SurveyError([Problem(file, node.start_mark.line + 1, "file is too large")])
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node)
                if not isinstance(key, str | int):
                    raise SurveyError([Problem(file, key_node.start_mark.line + 1, "bad key")])
                if key in result:
                    raise SurveyError(
                        [Problem(file, key_node.start_mark.line + 1, f"key '{key}' appears twice")]
                    )
                result[key] = build(value_node, (*path, key), depth + 1)
                lines[(*path, key)] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return loader.construct_object(node)

    return build(root, (), 0), lines


def parse_yaml(text: str, file: str) -> tuple[Any, dict]:
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise SurveyError([Problem(file, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KB")])
    try:
        # The reader refuses control characters when it is created; the constructor refuses
        # unknown tags (such as !!python/...) while building: both are bad survey files.
        loader = _NoAliasLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                raise SurveyError([Problem(file, 1, "the file is empty")])
            return _construct(loader, root, file)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        hint = _apostrophe_s_line(text)
        if hint is not None:
            # YAML reads 's Avonds as the start of a quoted text and fails far below it.
            raise SurveyError([Problem(file, hint, APOSTROPHE_S_HINT)]) from None
        raise SurveyError([Problem(file, line, f"not valid YAML: {error.problem}")]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise SurveyError(
            [Problem(file, line, f"not valid YAML: character {error.character!r} is not allowed")]
        ) from None
    except yaml.YAMLError as error:
        raise SurveyError([Problem(file, 1, f"not valid YAML: {error}")]) from None
    except RecursionError:
        raise SurveyError([Problem(file, 1, "nested too deeply")]) from None
    except ValueError as error:  # such as an integer of more than 4,300 digits
        raise SurveyError([Problem(file, 1, f"not a usable value: {error}")]) from None


#: The common YAML mistake: a text such as 's Avonds or 's-Hertogenbosch, not in quotes.
APOSTROPHE_S_HINT = (
    "not valid YAML: a text starts with 's (as in 's Avonds): put the whole text in double "
    "quotes, like \"'s Avonds\""
)
_APOSTROPHE_S = re.compile(r"""(?:^\s*-\s+|:\s+|[\[{,]\s*)'s[\s-]""")


def _apostrophe_s_line(text: str) -> int | None:
    """The first line where an unquoted value starts with 's, or None.

    A value that also ends with a quote ('s avonds') is a quoted text YAML reads fine.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split(" #", 1)[0].rstrip()
        if _APOSTROPHE_S.search(code) and not code.rstrip("}] ,").endswith("'"):
            return number
    return None


def _line_of(lines: dict[tuple, int], loc: tuple) -> int:
    path = tuple(loc)
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _readable(loc: tuple) -> str:
    # pydantic adds union branch names such as "str" or "function-after[...]"; readers need keys.
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "dict")))]
    return ".".join(parts)


def validate_survey(
    data: Any, lines: dict[tuple, int], file: str, question_types: dict[str, QuestionType]
) -> Survey:
    if not isinstance(data, dict):
        raise SurveyError([Problem(file, 1, "a survey file must be a mapping (id:, title:, ...)")])
    try:
        survey = Survey.model_validate(data)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            where = _readable(e["loc"])
            message = e["msg"].removeprefix("Value error, ")
            problems.append(
                Problem(
                    file, _line_of(lines, e["loc"]), f"{where}: {message}" if where else message
                )
            )
        raise SurveyError(_unique(problems)) from None
    problems = [
        Problem(file, _line_of(lines, path), message)
        for path, message in survey.structure_problems()
    ]
    for p_index, page in enumerate(survey.pages):
        for q_index, question in enumerate(page.questions):
            path = ("pages", p_index, "questions", q_index)
            qtype = question_types.get(question.type)
            if qtype is None:
                known = ", ".join(sorted(question_types))
                problems.append(
                    Problem(
                        file,
                        _line_of(lines, (*path, "type")),
                        f"question '{question.id}': unknown type '{question.type}' "
                        f"(known: {known})",
                    )
                )
                continue
            try:
                question._settings = qtype.Settings.model_validate(question.extra_keys())
            except ValidationError as error:
                for e in error.errors():
                    where = _readable(e["loc"])
                    message = e["msg"].removeprefix("Value error, ")
                    if e["type"] == "extra_forbidden":
                        message = f"'{where}' is not a setting of type '{question.type}'"
                    problems.append(
                        Problem(
                            file,
                            _line_of(lines, (*path, *e["loc"])),
                            f"question '{question.id}': {where}: {message}",
                        )
                    )
                continue
            for message in qtype.check(question):
                problems.append(
                    Problem(file, _line_of(lines, path), f"question '{question.id}': {message}")
                )
    if not problems:
        # Only once every question's settings are known: they say which answers exist.
        problems = [
            Problem(file, _line_of(lines, path), message)
            for path, message in condition_problems(survey, question_types)
        ]
    if problems:
        raise SurveyError(_unique(problems))
    return survey


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def load_survey_text(text: str, file: str, question_types: dict[str, QuestionType]) -> Survey:
    data, lines = parse_yaml(text, file)
    return validate_survey(data, lines, file, question_types)


def load_survey_file(path: Path, question_types: dict[str, QuestionType]) -> Survey:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SurveyError([Problem(str(path), 1, "not UTF-8 text")]) from None
    except OSError as error:
        raise SurveyError([Problem(str(path), 1, f"cannot read: {error.strerror}")]) from None
    try:
        return load_survey_text(text, str(path), question_types)
    except SurveyError:
        raise
    except Exception as error:
        # Whatever else goes wrong with one file (a bug a strange file finds, a plugin's
        # question type that fails) sets that file aside; it must not take the site down.
        problem = f"could not be loaded ({type(error).__name__}): {error}"[:500]
        raise SurveyError([Problem(str(path), 1, problem)]) from None


@dataclass(frozen=True)
class BrokenSurvey:
    """A survey file that failed to load: organisers see it as unavailable with its errors."""

    path: Path
    problems: list[Problem]


#: Seconds between listings of the surveys folder at most (see SurveyRegistry._fresh).
LIST_AT_LEAST_EVERY = 1.0


def _stamp_entry(name: str, st: os.stat_result) -> tuple[str, int, int, int]:
    return (name, st.st_ino, st.st_mtime_ns, st.st_size)


class SurveyRegistry:
    """The surveys of one instance, re-read when a file changes; a broken file is set aside."""

    def __init__(self, surveys_dir: Path, question_types: dict[str, QuestionType]):
        self.surveys_dir = surveys_dir
        self.question_types = question_types
        self._lock = threading.Lock()
        self._stamp: tuple = ()
        self._surveys: dict[str, Survey] = {}
        self._paths: dict[str, Path] = {}
        self._broken: list[BrokenSurvey] = []
        #: When the last listing matched what is loaded: the folder's (inode, mtime_ns) as
        #: seen just before it, the moment, and each file's path with its stamp entry.
        self._quick: tuple[tuple[int, int], float, list[tuple[str, tuple]]] | None = None

    def _current(self) -> tuple[list[Path], tuple]:
        """The survey files and their (name, inode, mtime_ns, size), sorted by name.

        One listing and one stat per file: every request asks, and on a busy server each
        system call hands the interpreter lock to another thread."""
        found = []
        try:
            with os.scandir(self.surveys_dir) as entries:
                for entry in entries:
                    if os.path.splitext(entry.name)[1] not in (".yaml", ".yml"):
                        continue
                    try:
                        if not entry.is_file():
                            continue
                        st = entry.stat()
                    except FileNotFoundError:  # removed while we looked
                        continue
                    found.append(_stamp_entry(entry.name, st))
        except (FileNotFoundError, NotADirectoryError):
            return [], ()
        found.sort()
        return [self.surveys_dir / item[0] for item in found], tuple(found)

    def _fresh(self) -> bool:
        """True when no survey file changed since the last load. Looked at without the lock:
        every request asks, and a lock held across these file system calls made the server's
        threads queue behind each other (measured under load).

        Between listings, one stat of the folder and one per file do: adding, removing or
        renaming a file moves the folder's time, editing one moves the file's. A file added in
        the same tick of the file system's clock as the change before it leaves the folder's
        time as it was, so the folder is listed again at least every LIST_AT_LEAST_EVERY
        seconds (measured: the listing on every request cost a twentieth of the residents a
        busy server could serve)."""
        quick = self._quick
        if quick is not None and time.monotonic() - quick[1] < LIST_AT_LEAST_EVERY:
            try:
                folder = os.stat(self.surveys_dir)
                if (folder.st_ino, folder.st_mtime_ns) == quick[0] and all(
                    _stamp_entry(name, os.stat(path)) == entry for path, name, entry in quick[2]
                ):
                    return True
            except OSError:  # gone: the listing below says what is there now
                pass
        try:
            folder = os.stat(self.surveys_dir)
        except OSError:
            folder = None
        stamp = self._current()[1]
        if stamp != self._stamp:
            return False
        if folder is not None:
            files = [(os.path.join(self.surveys_dir, e[0]), e[0], e) for e in stamp]
            self._quick = ((folder.st_ino, folder.st_mtime_ns), time.monotonic(), files)
        return True

    def _refresh(self) -> None:
        files, stamp = self._current()
        if stamp == self._stamp:
            return
        surveys: dict[str, Survey] = {}
        paths: dict[str, Path] = {}
        broken: list[BrokenSurvey] = []
        for path in files:
            try:
                survey = load_survey_file(path, self.question_types)
            except SurveyError as error:
                broken.append(BrokenSurvey(path, error.problems))
                continue
            except Exception as error:  # the file vanished while being read, say
                problem = Problem(str(path), 1, f"could not be loaded: {type(error).__name__}")
                broken.append(BrokenSurvey(path, [problem]))
                continue
            if survey.id in surveys:
                message = f"survey id '{survey.id}' is also used by {paths[survey.id].name}"
                broken.append(BrokenSurvey(path, [Problem(str(path), 1, message)]))
                continue
            surveys[survey.id] = survey
            paths[survey.id] = path
        self._quick = None  # the next look lists the folder and checks the new files
        self._surveys, self._paths, self._broken, self._stamp = surveys, paths, broken, stamp

    def _loaded(self) -> dict[str, Survey]:
        if not self._fresh():
            with self._lock:
                self._refresh()
        return self._surveys

    def all(self) -> list[Survey]:
        return list(self._loaded().values())

    def get(self, survey_id: str) -> Survey | None:
        return self._loaded().get(survey_id)

    def path(self, survey_id: str) -> Path | None:
        with self._lock:
            self._refresh()
            return self._paths.get(survey_id)

    def broken(self) -> list[BrokenSurvey]:
        with self._lock:
            self._refresh()
            return list(self._broken)


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
