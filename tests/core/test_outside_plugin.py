"""An outsider's plugin, end to end: scaffold, pip install into a fresh venv, list, answer.

This is the promise of issue 3: a plugin written from our docs alone, installed with pip,
just works. Nothing here touches the network: dependencies come from the running
environment and both packages are built with the build backend already installed.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

from vliegwiel.cli.scaffold import new_plugin

REPO = Path(__file__).resolve().parents[2]
NAME = "buurthuis"

pytestmark = pytest.mark.slow


def _venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"


def _fresh_venv(env_dir: Path) -> Path:
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = _venv_python(env_dir)
    # When the tests themselves run in a venv, "system" site-packages are the base Python's,
    # not ours: point the new venv at our site-packages too, after its own.
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], *site.getsitepackages()])
    Path(purelib, "zz_vliegwiel_test_parent.pth").write_text(
        "\n".join(ours) + "\n", encoding="utf-8"
    )
    return python


def _run(env_dir: Path, *args: str | Path, cwd: Path | None = None) -> str:
    bin_dir = _venv_python(env_dir).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(env_dir),
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VLIEGWIEL_PLUGINS", None)
    env.pop("PYTHONPATH", None)
    # Never the repository as working folder: `python -c` would import vliegwiel from it.
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd or env_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh venv holding vliegwiel (from this repository) and a scaffolded plugin."""
    root = tmp_path_factory.mktemp("outside")
    plugin_dir = new_plugin(NAME, root)
    env_dir = root / "venv"
    python = _fresh_venv(env_dir)
    _run(
        env_dir,
        python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", REPO, plugin_dir,
    )  # fmt: skip
    return env_dir, plugin_dir


def test_pip_installed_plugin_is_listed_with_its_version(installed):
    env_dir, _ = installed
    vliegwiel = _venv_python(env_dir).parent / "vliegwiel"
    rows = json.loads(_run(env_dir, vliegwiel, "plugins", "--json"))
    ours = {row["name"]: row for row in rows}[NAME]
    assert ours["version"] == "0.1.0"
    assert ours["hooks"] == ["vliegwiel_response_indicators", "vliegwiel_survey_templates"]


def test_installed_vliegwiel_is_the_fresh_copy(installed):
    # Guards the test itself: the plugin must be found through the new venv's metadata.
    env_dir, _ = installed
    where = _run(
        env_dir, _venv_python(env_dir), "-c", "import vliegwiel; print(vliegwiel.__file__)"
    )
    assert Path(where.strip()).is_relative_to(env_dir)


def test_its_survey_is_added_and_answered(installed, tmp_path):
    env_dir, _ = installed
    vliegwiel = _venv_python(env_dir).parent / "vliegwiel"
    instance = tmp_path / "dorp"
    _run(env_dir, vliegwiel, "init", instance, "--name", "Buitendorp")
    added = _run(env_dir, vliegwiel, "survey", "add", NAME, "--instance", instance)
    assert f"Enquête '{NAME}' toegevoegd" in added
    _run(env_dir, vliegwiel, "survey", "open", NAME, "--instance", instance)  # added as a concept
    script = textwrap.dedent(
        f"""
        import json, sys
        from vliegwiel.app import create_app
        from vliegwiel.testing import VillageClient, stored_responses

        app = create_app(sys.argv[1], {{"TESTING": True}})
        app.test_client_class = VillageClient
        page = app.test_client().answer_survey("{NAME}", {{"tevreden": "4", "meedoen": "nee"}})
        print(json.dumps({{"status": page.status_code,
                          "responses": stored_responses(app, "{NAME}")}}))
        """
    )
    out = json.loads(_run(env_dir, _venv_python(env_dir), "-c", script, instance))
    assert out["status"] == 200
    (response,) = out["responses"]
    assert response["answers"] == {"tevreden": 4, "meedoen": "nee"}
    assert response["indicators"] == {f"{NAME}.tevreden": True}


def test_the_scaffolded_tests_pass_in_the_venv(installed):
    env_dir, plugin_dir = installed
    out = _run(
        env_dir, _venv_python(env_dir), "-m", "pytest", "-q", "-p", "no:cacheprovider",
        cwd=plugin_dir,
    )  # fmt: skip
    assert "3 passed" in out
