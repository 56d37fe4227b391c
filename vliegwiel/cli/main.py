"""The ``vliegwiel`` command: the group, and the commands that make, serve and check an
instance. Every capability adds its own commands through ``vliegwiel_register_commands``."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import pluggy
from flask_babel import gettext as _
from flask_babel import ngettext

from vliegwiel.cli.common import (
    LANGUAGE_KEY,
    CommandError,
    in_language,
    instance_option,
    load_village,
    use_language,
)
from vliegwiel.core.config import instance_dir_from
from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.plugins import PluginError, call_implementation, create_plugin_manager
from vliegwiel.web.i18n import DEFAULT_LANGUAGE


class VliegwielGroup(click.Group):
    """Turns expected failures into one clear line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VliegwielError as error:
            raise _in_command_language(ctx, click.ClickException(str(error))) from None
        except click.UsageError:
            raise  # click's "Usage: ... Error: ..." block stays as click prints it
        except click.ClickException as error:
            raise _in_command_language(ctx, error) from None


def _in_command_language(ctx: click.Context, error: click.ClickException) -> click.ClickException:
    """``error`` with its "Error:" prefix in the language the command spoke (use_language).

    Without a known language (outside an instance) click's own "Error:" stays.
    """
    language = ctx.meta.get(LANGUAGE_KEY)
    if language is None:
        return error
    with in_language(language):
        prefix = _("Fout")
    shown = CommandError(error.format_message(), prefix)
    shown.exit_code = error.exit_code
    return shown


@click.group(cls=VliegwielGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vliegwiel")
def main() -> None:
    """vliegwiel: surveys and participation rounds for small villages.

    Start with 'vliegwiel demo' to look around, or 'vliegwiel init DIR' to create your
    village's own instance, then 'vliegwiel serve --instance DIR'.
    """


# --- instance -------------------------------------------------------------------------------


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help='The village name, e.g. --name "Achterveld".')
@click.option("--admin", default="beheerder", show_default=True, help="First organiser's username.")
@click.option("--no-examples", is_flag=True, help="Do not copy the example surveys.")
@click.option(
    "--database",
    "database_url",
    default=None,
    metavar="URL",
    help="Keep the data in this PostgreSQL database (postgresql://...) instead of data/.",
)
def init(
    directory: Path, name: str | None, admin: str, no_examples: bool, database_url: str | None
) -> None:
    """Create a village instance in DIRECTORY.

    Writes vliegwiel.toml (with a fresh secret key), data/, surveys/ (the example
    surveys), plugins/ and backups/, and creates the first beheerder account, whose
    one-time password is printed once. With --database URL the records are kept in that
    PostgreSQL database, under the village key [storage] village (the folder name).
    """
    from vliegwiel.accounts.model import add_user
    from vliegwiel.core.config import village_key
    from vliegwiel.core.instance import init_instance
    from vliegwiel.core.postgres_storage import PostgresStorage, is_database_url
    from vliegwiel.core.village import build_village

    if database_url is not None:
        if not is_database_url(database_url):
            raise click.BadParameter("give a postgresql:// URL", param_hint="--database")
        # Before anything is written: the database must be reachable and the key unused.
        shared = PostgresStorage(database_url, village_key(Path(directory).resolve()))
        if shared.collections():
            raise click.ClickException(
                f"{shared.describe()} already holds a village's data; choose another folder "
                "name or database"
            )
    village_name = name or Path(directory).resolve().name.replace("-", " ").title()
    path = init_instance(
        directory, village_name, with_examples=not no_examples, database_url=database_url
    )
    village = build_village(path)
    user, password = add_user(village.storage, admin, "beheerder")
    # What follows is for the organiser, in the new instance's language (Dutch until the
    # team changes [village] languages), as every other command that works on an instance.
    use_language(village.config.default_language)
    click.echo(_("Instantie van %(village)s gemaakt in %(path)s", village=village_name, path=path))
    click.echo(_("Gegevens: %(storage)s", storage=village.storage.describe()))
    click.echo(_("Beheerdersaccount: %(name)s", name=user.username))
    click.echo(
        _(
            "Eenmalig wachtwoord: %(password)s   (bij de eerste keer inloggen kiest u een eigen "
            "wachtwoord)",
            password=password,
        )
    )
    start = f"vliegwiel serve --instance {path}"
    click.echo(_("Starten met: %(command)s", command=start))
    if not no_examples:
        click.echo(
            _(
                "De voorbeeldenquêtes zijn concepten die bewoners nog niet zien: test en open "
                "ze op de beheerpagina van de enquête, of met 'vliegwiel survey open ENQUETE'."
            )
        )


@main.command()
@instance_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests each server process handles at once.",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Server processes on the one port (Linux and macOS; PostgreSQL villages only): one "
    "per CPU core serves more residents at once.",
)
@click.option(
    "--villages",
    "villages_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Serve every instance folder in this folder, each under /<folder>/ (or its own host "
    "name, see province.toml), with an index of the villages at /.",
)
def serve(
    instance: Path | None,
    host: str,
    port: int,
    threads: int,
    processes: int,
    villages_dir: Path | None,
) -> None:
    """Serve the instance with waitress (use --host 0.0.0.0 to reach it from other devices).

    With --villages DIR one server serves many villages: each keeps its own settings, secret
    key, plugins and storage, and its own login cookie. With --processes N the server runs N
    processes on the same port; their villages must keep their data in PostgreSQL.
    """
    if villages_dir is not None:
        if instance is not None:
            raise click.UsageError("give either --instance or --villages, not both")
        directory = villages_dir

        def build():
            from vliegwiel.web.province import create_province

            return create_province(directory)

    else:
        instance_dir = instance_dir_from(instance)

        def build():
            from vliegwiel.web.app import create_app

            return create_app(instance_dir)

    if processes == 1:
        _serve(build(), host, port, threads)
        return
    _serve_processes(build, host, port, threads, processes)


def _serve(app, host: str, port: int, threads: int) -> None:
    use_language(_host_language(app))
    server = _listen(app, host, port, threads)
    _announce(app, f"http://{host}:{port}/")
    server.run()


def _announce(app, url: str) -> None:
    """What the host reads at start-up: a village's address, or a province's villages."""
    if getattr(app, "sites", None) is not None:
        _announce_province(app, url)
    else:
        _announce_village(app, url)


def _host_language(app) -> str:
    """What the host reads in: a village's own language; a province's index is Dutch first."""
    if getattr(app, "sites", None) is not None:
        return DEFAULT_LANGUAGE
    return app.extensions["vliegwiel"].config.default_language


def _announce_province(province, url: str) -> None:
    count = len(province.sites)
    click.echo(
        ngettext(
            "%(province)s: %(url)s  (%(num)s dorp)",
            "%(province)s: %(url)s  (%(num)s dorpen)",
            count,
            province=province.name,
            url=url,
        )
    )
    for site in province.sites:
        where = f"http://{site.host}/" if site.host else f"/{site.folder}/"
        storage = site.app.extensions["vliegwiel"].storage.describe()
        line = _(
            "%(village)s: %(where)s  gegevens: %(storage)s",
            village=site.name,
            where=where,
            storage=storage,
        )
        click.echo(f"  {line}")
    click.echo(_("Stoppen met Ctrl+C."))


def _announce_village(app, url: str) -> None:
    village_name = app.config["VILLAGE_NAME"]
    click.echo(_("%(village)s: %(url)s  (beheer: /beheer)", village=village_name, url=url))
    click.echo(_("Gegevens: %(storage)s", storage=app.extensions["vliegwiel"].storage.describe()))
    click.echo(_("Stoppen met Ctrl+C."))


def _village_stores(app) -> list[tuple[str, Any]]:
    """(name, store) of every village an app serves: one, or a province's."""
    sites = getattr(app, "sites", None)
    if sites is None:
        return [(app.config["VILLAGE_NAME"], app.extensions["vliegwiel"].storage)]
    return [(site.name, site.app.extensions["vliegwiel"].storage) for site in sites]


def _serve_processes(build, host: str, port: int, threads: int, processes: int) -> None:
    import waitress

    from vliegwiel.core.postgres_storage import PostgresStorage
    from vliegwiel.web.processes import RESTARTS_PER_MINUTE, run_processes
    from vliegwiel.web.server import raise_file_limit, server_limits

    use_language(DEFAULT_LANGUAGE)
    sockets = _bind(host, port)
    raise_file_limit()
    url = f"http://{host}:{port}/"
    state = {"announced": False}  # the parent's; a process forked later gets its copy

    def serve(index: int, ready) -> None:
        try:
            app = build()
            use_language(_host_language(app))
            for name, store in _village_stores(app):
                if not isinstance(store, PostgresStorage):
                    # TinyDB's write batches and its submission counts are per process.
                    raise click.ClickException(
                        _(
                            "--processes %(count)s kan alleen als elk dorp zijn gegevens in "
                            "PostgreSQL bewaart; %(village)s gebruikt een map (TinyDB), die "
                            "door één serverproces beschreven wordt. Start met --processes 1, "
                            "of zet de gegevens over met 'vliegwiel storage copy --to URL'.",
                            count=processes,
                            village=name,
                        )
                    )
            server = waitress.create_server(app, sockets=sockets, **server_limits(threads))
            if index == 0 and not state["announced"]:  # not again when restarted
                _announce(app, url)
        except (click.ClickException, VliegwielError) as error:
            # As the command group shows them; this process is the one that can tell.
            if not isinstance(error, click.ClickException):
                error = click.ClickException(str(error))
            shown = _in_command_language(click.get_current_context(), error)
            shown.show()
            sys.exit(shown.exit_code)
        ready()
        server.run()

    def describe_exit(index: int, pid: int, code: int) -> str:
        if code < 0:
            how = _("gestopt door signaal %(signal)s", signal=-code)
        else:
            how = _("foutcode %(code)s", code=code)
        return _(
            "Serverproces %(number)s (pid %(pid)s) stopte onverwacht (%(how)s); het wordt "
            "opnieuw gestart.",
            number=index + 1,
            pid=pid,
            how=how,
        )

    def started(pids: list[int]) -> None:
        state["announced"] = True
        click.echo(
            _(
                "%(count)s serverprocessen op één poort (pid %(pids)s).",
                count=len(pids),
                pids=", ".join(str(pid) for pid in pids),
            )
        )

    try:
        gave_up = _(
            "Serverprocessen stopten te vaak (meer dan %(count)s keer in een minuut); de server "
            "stopt. Kijk naar de meldingen hierboven.",
            count=RESTARTS_PER_MINUTE,
        )
        code = run_processes(
            serve,
            processes,
            say=click.echo,
            describe_exit=describe_exit,
            gave_up=gave_up,
            started=started,
        )
    except OSError as error:
        raise click.ClickException(
            _("--processes werkt alleen op Linux en macOS (%(reason)s)", reason=error)
        ) from None
    finally:
        for sock in sockets:
            sock.close()
    if code:
        sys.exit(code)


def _bind(host: str, port: int):
    """The listening sockets, or one clear line: a port in use, an address this machine does
    not have."""
    import errno

    from vliegwiel.web.processes import bind_sockets

    try:
        return bind_sockets(host, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise click.ClickException(
                _(
                    "poort %(port)s is al in gebruik (draait vliegwiel daar al?); kies een "
                    "andere met --port",
                    port=port,
                )
            ) from None
        reason = error.strerror or error
    except ValueError as error:  # a host waitress cannot make sense of
        reason = error
    raise click.ClickException(
        _(
            "kan niet luisteren op %(host)s:%(port)s: %(reason)s",
            host=host,
            port=port,
            reason=reason,
        )
    ) from None


def _listen(app, host: str, port: int, threads: int):
    """A waitress server bound to host:port, before anything says it runs."""
    import logging

    import waitress

    from vliegwiel.web.server import raise_file_limit, server_limits

    logging.basicConfig()  # as waitress.serve does: its warnings reach the console
    raise_file_limit()
    sockets = _bind(host, port)
    return waitress.create_server(app, sockets=sockets, **server_limits(threads))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--responses",
    default=200,
    show_default=True,
    type=click.IntRange(0, 20000),
    help="Sample responses per survey.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the demo instance here instead of a throwaway folder.",
)
@click.option("--no-serve", is_flag=True, help="Create the demo instance and stop.")
def demo(host: str, port: int, responses: int, directory: Path | None, no_serve: bool) -> None:
    """Start a demo village (Achterveld) with example surveys and sample answers."""
    from vliegwiel.accounts.model import add_user
    from vliegwiel.cli.demo import (
        add_sample_responses,
        add_sample_round,
        set_demo_address,
        set_households,
    )
    from vliegwiel.core.instance import init_instance
    from vliegwiel.core.village import build_village
    from vliegwiel.surveys.status import OPEN, set_status
    from vliegwiel.surveys.templates import add_template, available_templates
    from vliegwiel.web.app import create_app

    throwaway = directory is None
    path = Path(tempfile.mkdtemp(prefix="vliegwiel-demo-")) if throwaway else directory
    try:
        init_instance(path, "Achterveld")
        set_households(path)
        set_demo_address(path, host, port)
        village = build_village(path)
        _user, password = add_user(village.storage, "demo", "beheerder", "demo-wachtwoord")
        for template in available_templates(village):
            add_template(village, template.name)
        village = build_village(path)
        surveys = village.surveys.all()
        for survey in surveys:
            set_status(village.storage, survey.id, OPEN)
        use_language(village.config.default_language)
        with click.progressbar(
            length=responses * len(surveys), label=_("Voorbeeldantwoorden maken")
        ) as bar:
            for survey in surveys:
                add_sample_responses(village, survey, responses, progress=bar.update)
        add_sample_round(village)
        click.echo(_("Demo-instantie: %(path)s", path=path))
        click.echo(_("Inloggen als beheerder: demo / %(password)s", password=password))
        if not no_serve:
            _serve(create_app(path), host, port, 8)
    finally:
        if throwaway and not no_serve:
            shutil.rmtree(path, ignore_errors=True)


# --- surveys --------------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@instance_option
def check(files: tuple[Path, ...], instance: Path | None) -> None:
    """Check survey files; print every problem as FILE:LINE: message and exit 1 if any.

    Question types come from the installed plugins (and the instance's plugins/ folder
    when --instance or the current folder is an instance).
    """
    from vliegwiel.core.config import CONFIG_NAME, load_config
    from vliegwiel.core.plugins import create_plugin_manager
    from vliegwiel.surveys.loader import SurveyError, collect_question_types, load_survey_file

    instance_dir = instance_dir_from(instance)
    in_instance = (instance_dir / CONFIG_NAME).exists()
    plugins_dir = instance_dir / "plugins" if in_instance else None
    # Problems in the instance's language (Dutch for a Dutch village); English elsewhere.
    language = load_config(instance_dir).default_language if in_instance else "en"
    question_types = collect_question_types(create_plugin_manager(plugins_dir))
    failed = 0
    for path in files:
        try:
            survey = load_survey_file(path, question_types)
        except SurveyError as error:
            failed += 1
            for problem in error.problems:  # in line order
                click.echo(problem.shown(language))
            continue
        questions = sum(1 for _ in survey.questions())
        click.echo(
            f"{path}: ok ({survey.id}, {len(survey.pages)} pages, {questions} questions)", err=True
        )
    if failed:
        sys.exit(1)


@main.command()
@instance_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def plugins(instance: Path | None, as_json: bool) -> None:
    """List the loaded plugins with their version and hooks."""
    from vliegwiel.core.config import CONFIG_NAME
    from vliegwiel.core.plugins import create_plugin_manager, describe_plugins

    instance_dir = instance_dir_from(instance)
    if (instance_dir / CONFIG_NAME).exists():
        pm = load_village(instance).pm
    else:
        pm = create_plugin_manager()
    rows = describe_plugins(pm)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']:<32} {row['version']:<10} {', '.join(row['hooks'])}")


def add_plugin_commands(group: click.Group, pm: pluggy.PluginManager | None = None) -> None:
    """Let the core's capabilities and installed plugins add their commands.

    Each plugin adds to a group of its own first, so a command that would replace an
    existing one can be refused with the plugin's name instead of silently winning.
    """
    if pm is None:
        try:
            pm = create_plugin_manager()
        except PluginError as error:
            click.echo(f"warning: {error}; only the core's commands are available", err=True)
            pm = create_plugin_manager(entry_point_plugins=False)
    for impl in reversed(pm.hook.vliegwiel_register_commands.get_hookimpls()):
        own = click.Group()
        call_implementation(impl, "vliegwiel_register_commands", {"cli": own})
        for name, command in own.commands.items():
            if name in group.commands:
                click.echo(
                    f"warning: plugin '{impl.plugin_name}' adds a command '{name}' that "
                    "already exists; it is left out",
                    err=True,
                )
                continue
            group.add_command(command, name)


# Last, so the group's own commands are there first and no plugin can replace them.
add_plugin_commands(main)
