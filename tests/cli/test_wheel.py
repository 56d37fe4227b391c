"""The built wheel works on its own: templates, bundled surveys and translations are inside.

The wheel is installed into a fresh venv with ``--no-deps``; the dependencies come from the
interpreter running the tests (a ``.pth`` file points at its site-packages), so the test works
offline and in CI. The repository is never on the new venv's path: commands run from a folder
outside it, and ``.pth`` lines in the borrowed site-packages (the editable install) are not
processed.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def borrowed_site_packages() -> list[str]:
    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return [d for d in dirs if Path(d).is_dir()]


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repository(tmp_path: Path):
    dist = tmp_path / "dist"
    # --no-isolation: build with the hatchling already installed; offline CI cannot fetch it.
    build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist]
    run(*build, REPO, cwd=REPO)
    (wheel,) = dist.glob("vliegwiel-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "vliegwiel/templates/base.html",
        "vliegwiel/templates/resident/page.html",
        "vliegwiel/bundled_surveys/dorpsenquete.yaml",
        "vliegwiel/translations/en/LC_MESSAGES/messages.mo",
        "vliegwiel/static/style.css",
        "vliegwiel_stellingen/templates/stellingen/vote.html",
    ):
        assert shipped in names, shipped
    assert not any(n.startswith("tests/") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    ).stdout.strip()
    Path(purelib, "borrowed_dependencies.pth").write_text(
        "\n".join(borrowed_site_packages()) + "\n", encoding="utf-8"
    )
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
        "--no-index", "--disable-pip-version-check", "--quiet", wheel,
        cwd=tmp_path,
    )  # fmt: skip

    outside = tmp_path / "elders"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VLIEGWIEL_INSTANCE")}
    located = run(python, "-c", "import vliegwiel; print(vliegwiel.__file__)", cwd=outside, env=env)
    assert Path(located.stdout.strip()).is_relative_to(env_dir)

    cli = [env_dir / ("Scripts/vliegwiel.exe" if os.name == "nt" else "bin/vliegwiel")]
    init = run(*cli, "init", "dorp", "--name", "Wieldorp", cwd=outside, env=env)
    assert "Eenmalig wachtwoord:" in init.stdout
    survey_file = outside / "dorp" / "surveys" / "dorpsenquete.yaml"
    run(*cli, "check", survey_file, cwd=outside, env=env)
    listed = run(*cli, "surveys", "--json", "--instance", "dorp", cwd=outside, env=env)
    assert [row["id"] for row in json.loads(listed.stdout)] == ["dorpsenquete"]
    assert json.loads(listed.stdout)[0]["status"] == "concept"
    opened = run(*cli, "survey", "open", "dorpsenquete", "--instance", "dorp", cwd=outside, env=env)
    assert opened.stdout.strip() == "dorpsenquete: open"
    statements = outside / "stellingen.txt"
    statements.write_text("Meer bankjes.\nMinder verkeer.\n", encoding="utf-8")
    made = run(*cli, "stellingen", "new", "Het plein", "--statements", statements,
               "--instance", "dorp", cwd=outside, env=env)  # fmt: skip
    assert made.stdout.strip() == "het-plein"  # the bundled plugin's command, from the wheel

    page = run(
        python,
        "-c",
        "from vliegwiel.app import create_app\n"
        "client = create_app('dorp').test_client()\n"
        "home = client.get('/')\n"
        "english = client.get('/enquete/dorpsenquete/pagina/1?taal=en')\n"
        "print(home.status_code, english.status_code)\n"
        "print(home.get_data(as_text=True))\n"
        "print(english.get_data(as_text=True))\n",
        cwd=outside,
        env=env,
    )
    status, html = page.stdout.split("\n", 1)
    assert status == "200 200"
    assert "Wieldorp" in html and "Dorpsenquête" in html
    assert "How old are you?" in html and "Next" in html  # the compiled catalogue works
