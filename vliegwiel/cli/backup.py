"""``vliegwiel backup`` and ``vliegwiel restore``: one zip file holds a village's data.

A backup holds every collection's lock at once while it reads (``Storage.backup``), so it is
a consistent snapshot even while the server takes submissions. A restore replaces the whole
data directory; because that throws away what is there, it refuses when the instance already
holds data unless ``--force`` is given, and it always first keeps a safety backup of the data
it replaces in ``backups/``.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import click
from flask_babel import gettext as _

from vliegwiel.cli.common import instance_option, output_option, use_language
from vliegwiel.core.config import instance_dir_from, load_config
from vliegwiel.core.storage import Storage, backup_key
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.core.storage_contract import RecordStore

__all__ = ["backup_instance", "register", "restore_instance"]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _storage(instance_dir: Path) -> RecordStore:
    config = load_config(instance_dir)  # a clear error when this is not an instance folder
    use_language(config.default_language)
    storage = open_storage(config)
    storage.signing_key = backup_key(config.secret_key)  # backups are signed by the instance
    return storage


def backup_instance(instance_dir: Path, output: Path | None = None) -> Path:
    """Write a consistent snapshot of the instance's data; return the zip's path.

    Without ``output`` the zip goes to ``<instance>/backups/vliegwiel-backup-<time>.zip``.
    """
    storage = _storage(instance_dir)
    if output is None:
        output = instance_dir / "backups" / f"vliegwiel-backup-{_stamp()}.zip"
    output = Path(output)
    if output.suffix != ".zip":
        output = output.with_name(output.name + ".zip")
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return storage.backup(output)


def restore_instance(instance_dir: Path, backup: Path, *, force: bool = False) -> Path | None:
    """Replace the instance's data with ``backup``; return the safety copy made first, if any.

    Raises click.ClickException when data exists and ``force`` is not set. A corrupt backup
    raises StorageError before anything is touched.
    """
    storage = _storage(instance_dir)
    data_dir = instance_dir / "data"
    names = storage.collections()
    holds_data = any(storage.count(name) for name in names)
    if holds_data and not force:
        raise click.ClickException(
            _(
                "%(storage)s bevat al gegevens; terugzetten vervangt ze allemaal. Stop de "
                "server en probeer het opnieuw met --force (eerst wordt een veiligheidskopie "
                "van de huidige gegevens gemaakt).",
                storage=storage.describe(),
            )
        )
    safety = None
    if names:
        safety = storage.backup(instance_dir / "backups" / f"before-restore-{_stamp()}.zip")
    if not isinstance(storage, Storage):
        # PostgreSQL: one transaction replaces the village's rows (a backup is the same zip).
        storage.restore(Path(backup))  # type: ignore[attr-defined]
        return safety
    with contextlib.ExitStack() as stack:
        # Hold the current collections' locks during the swap, so no write from a server that
        # is still running lands halfway; it sees the restored files on its next read.
        for name in names:
            stack.enter_context(storage.locked(name))
        Storage.restore(Path(backup), data_dir, storage.signing_key)
    return safety


def register(main: click.Group) -> None:
    @main.command("backup")
    @instance_option
    @output_option(
        "Zip file to write (default: backups/vliegwiel-backup-<time>.zip).", required=False
    )
    def backup_command(instance: Path | None, output: Path | None) -> None:
        """Write a consistent snapshot of all data to a zip file (safe while serving)."""
        path = backup_instance(instance_dir_from(instance), output)
        click.echo(_("Back-up geschreven: %(path)s", path=path))

    @main.command("restore")
    @instance_option
    @click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace data that is already there.")
    def restore_command(instance: Path | None, backup: Path, force: bool) -> None:
        """Replace the instance's data with BACKUP (stop the server first).

        The backup is checked before anything changes. The current data is first saved to
        backups/before-restore-<time>.zip.
        """
        safety = restore_instance(instance_dir_from(instance), backup, force=force)
        if safety is not None:
            click.echo(_("De gegevens die er stonden zijn bewaard in %(path)s", path=safety))
        click.echo(_("%(backup)s teruggezet. Start (of herstart) de server.", backup=backup))
