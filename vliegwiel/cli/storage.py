"""``vliegwiel storage copy`` and ``vliegwiel storage verify``: moving a village's data.

Copy the instance's data into a PostgreSQL database or a TinyDB folder, check the copy, then
point ``[storage] url`` in vliegwiel.toml at the new place (or remove it to use data/ again).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _

from vliegwiel.cli.common import instance_option, use_language
from vliegwiel.core.config import instance_dir_from, load_config
from vliegwiel.core.storage_contract import RecordStore

__all__ = ["register"]

village_option = click.option(
    "--village",
    default=None,
    metavar="KEY",
    help="The village's key in a PostgreSQL database (default: [storage] village, else the "
    "instance folder's name).",
)


def _source(instance: Path | None) -> tuple[Path, str, RecordStore]:
    from vliegwiel.core.storage_backends import open_storage

    instance_dir = instance_dir_from(instance)
    config = load_config(instance_dir)
    use_language(config.default_language)
    store = open_storage(config)
    store.migrate(instance_dir / "backups")
    return instance_dir, config.storage_village, store


def register(main: click.Group) -> None:
    @main.group("storage")
    def storage_group() -> None:
        """Move a village's data between TinyDB folders and PostgreSQL databases."""

    @storage_group.command("copy")
    @instance_option
    @click.option(
        "--to",
        "target",
        required=True,
        metavar="URL|DIR",
        help="A postgresql:// URL, or a folder for TinyDB files (an instance folder means "
        "its data/).",
    )
    @village_option
    def copy_command(instance: Path | None, target: str, village: str | None) -> None:
        """Copy every collection of the instance into an empty database or folder.

        Nothing is merged or overwritten: a target that holds any of this village's records
        is refused. Check the copy with 'vliegwiel storage verify --against' the same target.
        """
        from vliegwiel.core.storage_backends import open_target
        from vliegwiel.core.storage_transfer import copy_store

        instance_dir, default_village, source = _source(instance)
        destination = open_target(target, village or default_village, create=True)
        names = source.collections()
        with click.progressbar(
            length=len(names), label=_("%(count)s collecties kopiëren", count=len(names)), file=None
        ) as bar:
            copied = copy_store(
                source,
                destination,
                instance_dir / "backups",
                progress=lambda name, count: bar.update(1),
            )
        click.echo(
            _(
                "%(records)s records in %(collections)s collecties gekopieerd van %(source)s "
                "naar %(target)s",
                records=sum(copied.values()),
                collections=len(copied),
                source=source.describe(),
                target=destination.describe(),
            )
        )

    @storage_group.command("verify")
    @instance_option
    @click.option(
        "--against",
        "target",
        required=True,
        metavar="URL|DIR",
        help="The copy to compare with: a postgresql:// URL or a TinyDB folder.",
    )
    @village_option
    def verify_command(instance: Path | None, target: str, village: str | None) -> None:
        """Compare the instance's data with a copy: records and a SHA-256 per collection.

        Prints one line per collection and exits with status 1 when anything differs.
        """
        from vliegwiel.core.storage_backends import open_target
        from vliegwiel.core.storage_transfer import verify_stores

        _instance_dir, default_village, source = _source(instance)
        other = open_target(target, village or default_village)
        checks = verify_stores(source, other)
        for check in checks:
            state = "same" if check.same else "DIFFERENT"
            click.echo(
                f"{check.collection:<40} {check.source_count:>7} {check.target_count:>7}  "
                f"{check.source_sha256[:16]}  {state}"
            )
        differ = [c.collection for c in checks if not c.same]
        versions = (source.schema_version(), other.schema_version())
        if versions[0] != versions[1]:
            differ.append("schema version")
        if differ:
            raise click.ClickException(
                _(
                    "%(other)s verschilt van %(source)s: %(differ)s",
                    other=other.describe(),
                    source=source.describe(),
                    differ=", ".join(differ),
                )
            )
        total = sum(c.source_count for c in checks)
        click.echo(
            _(
                "Gelijk: %(collections)s collecties, %(records)s records, schemaversie "
                "%(version)s (%(source)s = %(other)s)",
                collections=len(checks),
                records=total,
                version=versions[0],
                source=source.describe(),
                other=other.describe(),
            )
        )
