"""An instance's settings: ``vliegwiel.toml``, read with defaults, written once by ``init``."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vliegwiel.core.errors import VliegwielError

CONFIG_NAME = "vliegwiel.toml"
#: Environment variable naming the PostgreSQL database when vliegwiel.toml names none.
DATABASE_URL_ENV = "VLIEGWIEL_DATABASE_URL"
VILLAGE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


class ConfigError(VliegwielError):
    """vliegwiel.toml is missing or wrong; the message names the file and the key."""

    code = "config"


@dataclass
class VillageConfig:
    path: Path
    name: str
    secret_key: str
    languages: list[str] = field(default_factory=lambda: ["nl", "en"])
    default_language: str = "nl"
    #: Results over fewer respondents than this are hidden (small-group protection).
    min_group_size: int = 5
    #: None: every installed plugin loads; a list: only these.
    plugins: list[str] | None = None
    #: Set when the instance is served over HTTPS (behind a proxy): cookies get Secure.
    https: bool = False
    #: The address residents use, printed in letters and QR codes; "" until it is set.
    base_url: str = ""
    #: Let letters print a loopback base_url (the demo, trying letters on one computer).
    allow_local_base_url: bool = False
    submissions_per_ip_per_hour: int = 600
    households: int | None = None
    #: Confidence level of the margins of error shown next to percentages and means.
    confidence: float = 0.95
    #: A group answering less than its population share divided by this is flagged.
    underrepresented_factor: float = 1.5
    #: "off" (default), "poststratify" (one population margin) or "rake" (all margins).
    weighting: str = "off"
    #: No respondent's weight goes above this (the mean weight is 1).
    max_weight: float = 5.0
    #: ``[storage] url`` (else $VLIEGWIEL_DATABASE_URL): a PostgreSQL database; None: TinyDB.
    database_url: str | None = None
    #: ``[storage] village``: this village's key in a shared database (default: folder name).
    storage_village: str = ""
    #: An organiser who does nothing for this long is logged out.
    session_idle_hours: float = 8
    #: Reverse proxies in front of the server whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: int = 0
    #: The municipality the village belongs to: fills ``{gemeente}`` in survey texts.
    municipality: str | None = None
    #: The woonplaats printed under the postcode on letters (default: the village name).
    place: str | None = None
    #: ``[village] timezone``: the IANA name of the village's clock; exports show times in it.
    timezone: str = "Europe/Amsterdam"

    @property
    def instance_dir(self) -> Path:
        return self.path.parent


def instance_dir_from(option: str | os.PathLike | None) -> Path:
    """--instance, else $VLIEGWIEL_INSTANCE, else the current folder."""
    chosen = option or os.environ.get("VLIEGWIEL_INSTANCE") or "."
    return Path(chosen).expanduser().resolve()


def village_key(instance_dir: Path) -> str:
    """The default key of a village in a shared database: its folder name, made safe."""
    key = re.sub(r"[^a-z0-9_-]+", "-", Path(instance_dir).name.lower()).strip("-_")
    return key[:63] or "village"


def load_config(instance_dir: Path) -> VillageConfig:
    path = instance_dir / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"{path} not found: is {instance_dir} a vliegwiel instance? "
            "Create one with 'vliegwiel init DIR' or pass --instance DIR."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    village = raw.get("village", {})
    privacy = raw.get("privacy", {})
    limits = raw.get("limits", {})
    server = raw.get("server", {})
    results = raw.get("results", {})
    storage = raw.get("storage", {})

    def need(table: dict, key: str, kind: type, where: str, default=None):
        value = table.get(key, default)
        if (
            value is not None
            and not isinstance(value, kind)
            or isinstance(value, bool)
            and kind is int
        ):
            raise ConfigError(f"{path}: [{where}] {key} must be a {kind.__name__}")
        return value

    name = need(village, "name", str, "village")
    secret = need(village, "secret_key", str, "village")
    if not name:
        raise ConfigError(f"{path}: [village] name is missing")
    if not secret or len(secret) < 32:
        raise ConfigError(f"{path}: [village] secret_key is missing or shorter than 32 characters")
    languages = need(village, "languages", list, "village", ["nl", "en"])
    if not languages or any(lang not in ("nl", "en") for lang in languages):
        raise ConfigError(f'{path}: [village] languages may only hold "nl" and "en"')
    k = need(privacy, "min_group_size", int, "privacy", 5)
    if k < 2:
        raise ConfigError(f"{path}: [privacy] min_group_size must be at least 2")
    per_hour = need(limits, "submissions_per_ip_per_hour", int, "limits", 600)
    if per_hour < 0:
        raise ConfigError(f"{path}: [limits] submissions_per_ip_per_hour must be 0 (off) or more")
    households = need(village, "households", int, "village")
    if households is not None and households < 1:
        raise ConfigError(f"{path}: [village] households must be at least 1")
    confidence = _number(results, "confidence", 0.95, path)
    if not 0.5 <= confidence < 1:
        raise ConfigError(f"{path}: [results] confidence must be at least 0.5 and below 1")
    factor = _number(results, "underrepresented_factor", 1.5, path)
    if factor < 1:
        raise ConfigError(f"{path}: [results] underrepresented_factor must be at least 1")
    weighting = need(results, "weighting", str, "results", "off")
    if weighting not in WEIGHTING_METHODS:
        choices = ", ".join(f'"{m}"' for m in WEIGHTING_METHODS)
        raise ConfigError(f"{path}: [results] weighting must be one of {choices}")
    max_weight = _number(results, "max_weight", 5.0, path)
    if max_weight < 1:
        raise ConfigError(f"{path}: [results] max_weight must be at least 1")
    idle = server.get("session_idle_hours", 8)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or not 0 < idle <= 24 * 31:
        raise ConfigError(f"{path}: [server] session_idle_hours must be a number from 0 to 744")
    proxies = need(server, "trusted_proxies", int, "server", 0)
    if not 0 <= proxies <= 5:
        raise ConfigError(f"{path}: [server] trusted_proxies must be 0 (none) to 5")
    plugins = raw.get("plugins", {}).get("enabled")
    if plugins is not None and not (
        isinstance(plugins, list) and all(isinstance(p, str) for p in plugins)
    ):
        raise ConfigError(f"{path}: [plugins] enabled must be a list of plugin names")
    database_url = need(storage, "url", str, "storage") or os.environ.get(DATABASE_URL_ENV)
    if database_url and not database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"{path}: [storage] url (or ${DATABASE_URL_ENV}) must start with postgresql://"
        )
    storage_village = need(storage, "village", str, "storage") or village_key(instance_dir)
    if not VILLAGE_KEY.fullmatch(storage_village):
        raise ConfigError(
            f"{path}: [storage] village must be 1 to 63 of a-z, 0-9, '-' and '_' "
            f"(got {storage_village!r})"
        )
    timezone = need(village, "timezone", str, "village", "Europe/Amsterdam")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{path}: [village] timezone must be a time zone name such as "Europe/Amsterdam" '
            f"(got {timezone!r})"
        ) from None
    return VillageConfig(
        path=path,
        name=name,
        secret_key=secret,
        languages=languages,
        default_language=languages[0],
        min_group_size=k,
        plugins=plugins,
        https=bool(need(server, "https", bool, "server", False)),
        base_url=need(server, "base_url", str, "server", "").strip().rstrip("/"),
        allow_local_base_url=bool(need(server, "allow_local_base_url", bool, "server", False)),
        submissions_per_ip_per_hour=per_hour,
        households=households,
        confidence=confidence,
        underrepresented_factor=factor,
        weighting=weighting,
        max_weight=max_weight,
        database_url=database_url or None,
        storage_village=storage_village,
        session_idle_hours=float(idle),
        trusted_proxies=proxies,
        municipality=need(village, "municipality", str, "village") or None,
        place=(need(village, "place", str, "village") or "").strip() or None,
        timezone=timezone,
    )


#: The values of ``[results] weighting``.
WEIGHTING_METHODS = ("off", "poststratify", "rake")


def _number(table: dict, key: str, default: float, path: Path) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: [results] {key} must be a number")
    return float(value)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(name: str, database_url: str | None = None) -> str:
    """The vliegwiel.toml that ``init`` writes, with a fresh secret key."""
    escaped = _toml_string(name)[1:-1]
    storage = (
        f"url = {_toml_string(database_url)}"
        if database_url
        else '# url = "postgresql://vliegwiel@localhost/vliegwiel"'
    )
    return f'''# Settings of this village's vliegwiel instance.

[village]
name = "{escaped}"
# Signs session cookies. Keep it secret; changing it logs everyone out.
secret_key = "{secrets.token_urlsafe(48)}"
# The first language is the default one.
languages = ["nl", "en"]
# Number of households, used for the response rate in reports and to narrow the margins
# of error (finite-population correction) (optional).
# households = 350
# The municipality, filled in for {{gemeente}} in survey texts (optional).
# municipality = "Het Hogeland"
# The place (woonplaats) printed under the postcode on letters; default: the name above.
# An address list can give a place per address in a fourth column.
# place = "Achterveld"
# The village's clock: exports give times in it, with their offset (+01:00 in winter).
timezone = "Europe/Amsterdam"

[privacy]
# Results over fewer respondents than this are never shown (small-group protection).
min_group_size = 5

[results]
# Confidence level of the margins of error ("tussen 31 % en 45 %") next to every figure.
confidence = 0.95
# Flag a group (age, part of the village) on the results page when its share of the
# respondents is below its share of the population divided by this factor.
underrepresented_factor = 1.5
# Weight the results to the population figures: "off", "poststratify" (one background
# question) or "rake" (all of them). Weighted figures are shown next to the unweighted ones.
weighting = "off"
# No single answer counts for more than this many (the average answer counts once).
max_weight = 5.0

[server]
# The address residents use; printed in invitation letters and QR codes. Letters are
# refused until it is set to an address other devices reach (not 127.0.0.1 or localhost);
# 'vliegwiel codes --base-url URL' sets it for one run.
# base_url = "https://enquete.achterveld.nl"
# Set to true when the instance is served over HTTPS: cookies are then sent only over HTTPS.
https = false
# An organiser who does nothing for this many hours is logged out.
session_idle_hours = 8
# Behind a reverse proxy (nginx, Caddy): how many proxies add X-Forwarded-For. Only then are
# limits counted per visitor instead of per proxy. 0 when residents connect directly.
trusted_proxies = 0

[limits]
# Submissions per IP address per hour; a village hall on one wifi shares one address.
# 0 turns the limit off.
submissions_per_ip_per_hour = 600

[storage]
# Without a url the data is kept in data/ (TinyDB files). With a PostgreSQL url, in that
# database, under this village's key (default: the folder name; set it with village = "...").
{storage}

[plugins]
# Uncomment to load only these plugins (installed ones and files in plugins/).
# enabled = ["energie", "bereikbaarheid", "eenzaamheid"]
'''
