"""The survey registry sees a survey file added, edited or removed on disk at its next look,
checking the folder and the files it knows (a stat each) instead of listing the folder on
every request."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from vliegwiel.surveys import loader
from vliegwiel.surveys.builtin_questions import BUILTIN_TYPES
from vliegwiel.surveys.loader import SurveyRegistry


def survey(survey_id: str, title: str) -> str:
    return (
        f"id: {survey_id}\ntitle: {title}\npages:\n  - id: p1\n    questions:\n"
        "      - id: q\n        type: short_text\n        text: Wat vindt u?\n"
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "surveys"
    path.mkdir()
    (path / "a.yaml").write_text(survey("a", "Eerste"), encoding="utf-8")
    return path


def titles(registry: SurveyRegistry) -> dict[str, str]:
    return {s.id: s.title for s in registry.all()}


def test_added_edited_and_removed_files_show_at_the_next_look(folder: Path) -> None:
    registry = SurveyRegistry(folder, {t.name: t for t in BUILTIN_TYPES})
    assert titles(registry) == {"a": "Eerste"}
    assert titles(registry) == {"a": "Eerste"}  # a look that lists nothing again
    # Past the file system clock's tick since the fixture wrote a.yaml (a kernel without
    # fine-grained timestamps moves a folder's time in ticks of up to 10 ms; see below).
    time.sleep(0.02)
    (folder / "b.yaml").write_text(survey("b", "Tweede"), encoding="utf-8")
    assert titles(registry) == {"a": "Eerste", "b": "Tweede"}
    # Edited in place, as an editor without atomic saves does: the folder's time stays.
    (folder / "a.yaml").write_text(survey("a", "Eerste, herzien"), encoding="utf-8")
    assert titles(registry) == {"a": "Eerste, herzien", "b": "Tweede"}
    (folder / "b.yaml").unlink()
    assert titles(registry) == {"a": "Eerste, herzien"}
    # Replaced by an atomic save (a new file renamed over it).
    (folder / ".a.tmp").write_text(survey("a", "Opnieuw"), encoding="utf-8")
    os.replace(folder / ".a.tmp", folder / "a.yaml")
    assert titles(registry) == {"a": "Opnieuw"}


def test_a_file_added_within_the_clocks_tick_shows_once_the_folder_is_listed_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = SurveyRegistry(folder, {t.name: t for t in BUILTIN_TYPES})
    assert titles(registry) == {"a": "Eerste"}
    assert titles(registry) == {"a": "Eerste"}
    before = os.stat(folder)
    (folder / "b.yaml").write_text(survey("b", "Tweede"), encoding="utf-8")
    # A coarse file system clock can leave the folder's time as it was for a second change
    # in the same tick: put it back to see what the registry does then.
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert titles(registry) == {"a": "Eerste"}  # the quick look cannot know yet...
    monkeypatch.setattr(loader, "LIST_AT_LEAST_EVERY", 0.0)
    assert titles(registry) == {"a": "Eerste", "b": "Tweede"}  # ...the next listing does
