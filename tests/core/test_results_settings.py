"""The [results] settings of vliegwiel.toml: defaults, the written file, clear errors."""

from __future__ import annotations

import pytest

from vliegwiel.core.config import ConfigError, load_config
from vliegwiel.core.instance import init_instance


@pytest.fixture
def instance(tmp_path):
    return init_instance(tmp_path / "dorp", "Testdorp")


def _set(instance, old: str, new: str) -> None:
    path = instance / "vliegwiel.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_new_instance_has_the_defaults_written_out(instance):
    config = load_config(instance)
    assert config.confidence == 0.95
    assert config.underrepresented_factor == 1.5
    assert config.weighting == "off"
    assert config.max_weight == 5.0
    assert config.households is None


def test_settings_are_read(instance):
    _set(instance, 'weighting = "off"', 'weighting = "rake"')
    _set(instance, "confidence = 0.95", "confidence = 0.9")
    _set(instance, "max_weight = 5.0", "max_weight = 3")
    _set(instance, "# households = 350", "households = 400")
    config = load_config(instance)
    assert (config.weighting, config.confidence, config.max_weight, config.households) == (
        "rake",
        0.9,
        3.0,
        400,
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('weighting = "off"', 'weighting = "yes"', "weighting must be one of"),
        ('weighting = "off"', "weighting = true", "weighting must be a str"),
        ("confidence = 0.95", "confidence = 95", "confidence must be at least 0.5 and below 1"),
        ("confidence = 0.95", 'confidence = "95%"', "confidence must be a number"),
        ("max_weight = 5.0", "max_weight = 0.5", "max_weight must be at least 1"),
        ("underrepresented_factor = 1.5", "underrepresented_factor = 0.5", "at least 1"),
        ("# households = 350", "households = 0", "households must be at least 1"),
    ],
)
def test_bad_settings_name_the_key(instance, old, new, message):
    _set(instance, old, new)
    with pytest.raises(ConfigError, match=message):
        load_config(instance)
