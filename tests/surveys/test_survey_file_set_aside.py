"""Any exception while loading one survey file sets that file aside with a message; the site
and `vliegwiel check` carry on (security review, finding 8)."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_survey

from vliegwiel.cli.main import main

HUGE_NUMBER = "9" * 5000  # more digits than Python turns into an int from text (4,300)

FILES = {
    "huge-integer": f"id: groot\ntitle: Groot\nmax_length: {HUGE_NUMBER}\npages: []\n",
    "huge-integer-deep": (
        "id: diep\ntitle: Diep\npages:\n  - id: p\n    questions:\n      - id: q\n"
        f"        type: number\n        text: Hoe oud?\n        max: {HUGE_NUMBER}\n"
    ),
}


@pytest.mark.parametrize("name", FILES)
def test_a_file_that_fails_oddly_is_set_aside_and_the_site_works(instance_dir, client, name):
    write_survey(instance_dir, FILES[name], f"{name}.yaml")
    home = client.get("/")
    assert home.status_code == 200
    assert "Dorpsenquête" in home.get_data(as_text=True)
    assert client.get("/enquete/dorpsenquete").status_code == 200
    organiser = client
    organiser.login("beheerder")
    page = organiser.get("/beheer/").get_data(as_text=True)
    assert f"{name}.yaml" in page


@pytest.mark.parametrize("name", FILES)
def test_check_prints_one_line_not_a_traceback(tmp_path: Path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(FILES[name], encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"{path}:1:" in result.output
