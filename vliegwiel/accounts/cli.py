"""Organiser account commands: ``vliegwiel user add|list|remove|passwd``."""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _

from vliegwiel.cli.common import instance_option, load_village


def register(cli: click.Group) -> None:
    cli.add_command(user)


@click.group()
def user() -> None:
    """Organiser accounts: beheerder, ambassadeur, lezer."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["beheerder", "ambassadeur", "lezer"]),
    default="ambassadeur",
    show_default=True,
)
@instance_option
def user_add(username: str, role: str, instance: Path | None) -> None:
    """Create an account; its one-time password is printed once and must be changed at the
    first login."""
    from vliegwiel.accounts.model import add_user

    created, password = add_user(load_village(instance).storage, username, role)
    click.echo(
        _(
            "%(name)s (%(role)s) aangemaakt; wachtwoord: %(password)s",
            name=created.username,
            role=created.role,
            password=password,
        )
    )


@user.command("list")
@instance_option
def user_list(instance: Path | None) -> None:
    """List the accounts and their roles."""
    from vliegwiel.accounts.model import list_users

    for account in list_users(load_village(instance).storage):
        click.echo(f"{account.username:<32} {account.role}")


@user.command("remove")
@click.argument("username")
@instance_option
def user_remove(username: str, instance: Path | None) -> None:
    """Remove an account (the last beheerder cannot be removed)."""
    from vliegwiel.accounts.model import remove_user

    remove_user(load_village(instance).storage, username)
    click.echo(_("%(name)s verwijderd", name=username))


@user.command("passwd")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    prompt_required=False,
    default=None,
    help="The new password; leave out to generate one.",
)
@click.option(
    "--must-change/--no-must-change",
    default=True,
    show_default=True,
    help="Make it a one-time password the user must replace at the next login.",
)
@instance_option
def user_passwd(
    username: str, password: str | None, must_change: bool, instance: Path | None
) -> None:
    """Set a new password (generated and printed when --password is not given).

    Every session of the user ends. By default the user must choose an own password at
    the next login (organisers change their own password at /beheer/wachtwoord).
    """
    from vliegwiel.accounts.model import set_password

    new = set_password(load_village(instance).storage, username, password, must_change)
    click.echo(
        _("Nieuw wachtwoord voor %(name)s: %(password)s", name=username, password=new)
        if not password
        else _("Wachtwoord gewijzigd")
    )
    if must_change:
        click.echo(
            _(
                "Het is een eenmalig wachtwoord: bij de volgende keer inloggen moet er een "
                "nieuw worden gekozen."
            )
        )
