"""Creating a village instance folder (``vliegwiel init``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from vliegwiel.core.config import CONFIG_NAME, config_text
from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.resources import bundled_surveys_dir

SUBDIRS = ("data", "surveys", "plugins", "backups")


class InstanceError(VliegwielError):
    """The folder cannot become an instance; the message says why."""

    code = "instance"


def init_instance(
    directory: Path, name: str, *, with_examples: bool = True, database_url: str | None = None
) -> Path:
    """Create the folder layout and vliegwiel.toml; refuse to touch an existing instance.

    With ``database_url`` the records go to that PostgreSQL database instead of data/.
    """
    directory = directory.expanduser().resolve()
    if (directory / CONFIG_NAME).exists():
        raise InstanceError(f"{directory} is already a vliegwiel instance ({CONFIG_NAME} exists)")
    if not name.strip():
        raise InstanceError("the village needs a name (--name)")
    directory.mkdir(parents=True, exist_ok=True)
    for sub in SUBDIRS:
        # Data and backups hold password hashes and responses: for the server's user only.
        private = sub in ("data", "backups")
        (directory / sub).mkdir(mode=0o700 if private else 0o777, exist_ok=True)
    if with_examples:
        for source in sorted(bundled_surveys_dir().glob("*.yaml")):
            target = directory / "surveys" / source.name
            if not target.exists():
                shutil.copyfile(source, target)
    (directory / "plugins" / "README.txt").write_text(
        "Single-file plugins: put a .py file with @hookimpl functions here.\n"
        "See docs/plugins.md in the vliegwiel repository.\n",
        encoding="utf-8",
    )
    # Write the config last: its presence marks a complete instance.
    config_path = directory / CONFIG_NAME
    tmp = config_path.with_suffix(".tmp")
    # Created with mode 0600 from the first byte: the file holds the secret key.
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(config_text(name.strip(), database_url))
    tmp.replace(config_path)
    return directory
