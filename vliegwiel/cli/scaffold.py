"""``vliegwiel plugin new NAME``: scaffold a plugin package an outsider can build on."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import click

from vliegwiel.core.errors import VliegwielError

#: Plugin names become a Python package (vliegwiel_NAME) and a survey id: keep both valid.
NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

#: Template file (under scaffold_templates/) -> path in the new package.
FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "package/__init__.py.tmpl": "vliegwiel_$name/__init__.py",
    "package/survey.yaml.tmpl": "vliegwiel_$name/surveys/$name.yaml",
    "tests/test_plugin.py.tmpl": "tests/test_$name.py",
}


class ScaffoldError(VliegwielError):
    """The plugin cannot be created; the message says why."""

    code = "scaffold"


def templates_dir() -> Path:
    return Path(__file__).parent.parent / "scaffold_templates"


def new_plugin(name: str, directory: Path) -> Path:
    """Write the package ``vliegwiel-NAME`` into ``directory``; returns its folder."""
    if not NAME.match(name):
        raise ScaffoldError(
            f"'{name}' is not a valid plugin name: use 2-40 lower-case letters, digits "
            "and underscores, starting with a letter (for example 'buurthuis')"
        )
    if name == "testing":
        raise ScaffoldError("'testing' is taken by vliegwiel.testing; choose another name")
    target = Path(directory).resolve() / f"vliegwiel-{name}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists")
    values = {"name": name, "title": name.replace("_", " ").capitalize()}
    source = templates_dir()
    for template, destination in FILES.items():
        path = target / Template(destination).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (source / template).read_text(encoding="utf-8")
        path.write_text(Template(text).substitute(values), encoding="utf-8")
    return target


def register(main: click.Group) -> None:
    @main.group()
    def plugin() -> None:
        """Write your own plugin (see docs/plugins.md)."""

    @plugin.command("new")
    @click.argument("name")
    @click.option(
        "--dir",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Create the package folder vliegwiel-NAME in this folder.",
    )
    def new(name: str, directory: Path) -> None:
        """Create the plugin package vliegwiel-NAME: a survey template, an indicator, tests."""
        try:
            target = new_plugin(name, directory)
        except ScaffoldError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created {target}")
        click.echo("Next:")
        click.echo(f"  cd {target}")
        click.echo('  pip install -e ".[test]"')
        click.echo("  pytest")
        click.echo(f"  vliegwiel plugins      (lists '{name}')")
