"""Invitation codes: one single-use code per household, stored only as a keyed hash.

A code is 12 characters from Crockford's base32 alphabet (``0-9`` and ``A-Z`` without
I, L, O and U), printed in groups of four: ``K7PM-4XQD-93HT``. That is exactly 60 random
bits from ``secrets``. What a resident types is normalised before it is checked: case, spaces,
dashes and dots do not matter, a typed O counts as 0 and a typed I or L as 1 (the letters are
never issued, so the mapping cannot turn one valid code into another).

Only ``HMAC-SHA256(instance secret key, scope + code)`` is stored, as the record's id, so a
lookup is a single ``storage.get`` and a stolen ``data/`` folder does not reveal any code.
The plain codes exist only in the letters PDF made when they are generated.

Codes live in the collection ``codes/<scope>``; the scope is a survey id (or, for
participation rounds, any id of the same form). A code record holds the street (for the
per-street counts used for door-to-door reminders), the batch, an optional expiry date and
whether it is used. In anonymous mode nothing else is written when a code is used: no time,
no channel, no response id, so the codes collection cannot be joined with the responses.
In linked mode the response carries ``access_code`` (the code's hash), and the unfinished
answers (the draft) live under ``draft_key``, an id derived from the code's hash, so the same
code continues the same draft on any device.

The module also holds ``Throttle``, the small failure counter behind the code page and the
organiser login: brute force is refused with 429 after too many failures in a time window.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import ipaddress
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import Storage
from vliegwiel.core.village import Village
from vliegwiel.core.window_counts import WindowCounts
from vliegwiel.surveys.responses import now

#: Crockford's base32: no I, L, O or U, so nothing on a letter can be misread as another symbol.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP_SIZE = 4
#: Characters residents type that mean an alphabet symbol (Crockford's decoding rules).
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.·–—/]+")
_SCOPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Refuse absurd uploads early; a village has hundreds of addresses, not tens of thousands.
MAX_CODES = 10_000


class CodeProblem(VliegwielError, ValueError):
    """A code cannot be used. ``kind``: malformed, unknown, used or expired."""

    code = "code_problem"

    def __init__(self, kind: str):
        super().__init__(kind, kind=kind)
        self.kind = kind


class AddressError(VliegwielError, ValueError):
    """An address list has bad rows; ``problems`` holds (line number, message) pairs."""

    code = "address"

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(
            "; ".join(
                _("regel %(line)s: %(problem)s", line=line, problem=message)
                for line, message in problems
            )
        )
        self.problems = problems


@dataclass(frozen=True)
class Household:
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    #: The woonplaats, from the address list's optional fourth column; letters fall back to
    #: ``[village] place`` (else the village name). Never stored with a code.
    place: str = ""

    @property
    def address(self) -> str:
        return f"{self.street} {self.house_number}".strip()


@dataclass(frozen=True)
class IssuedCode:
    """A freshly generated code with the household it is printed for (never stored so)."""

    code: str
    household: Household


@dataclass(frozen=True)
class StreetCount:
    street: str
    total: int
    used: int

    @property
    def unused(self) -> int:
        return self.total - self.used


# --- the code itself ------------------------------------------------------------------------


def generate_code() -> str:
    """A new random code, grouped for printing: ``K7PM-4XQD-93HT`` (60 bits)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def normalise_code(text: str | None) -> str | None:
    """The 12 symbols a resident meant, or None when it cannot be a code (wrong length, ...)."""
    if not text:
        return None
    compact = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    if len(compact) != CODE_LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


def codes_collection(scope: str) -> str:
    if not _SCOPE.fullmatch(scope):
        raise ValueError(f"invalid code scope {scope!r}")
    return f"codes/{scope}"


def code_hash(secret_key: str, scope: str, code: str) -> str:
    """The stored id of a code: HMAC-SHA256 over scope and the normalised code."""
    normal = normalise_code(code)
    if normal is None:
        raise CodeProblem("malformed")
    message = f"{scope}\x00{normal}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


# --- generating -----------------------------------------------------------------------------


def new_codes(households: list[Household]) -> list[IssuedCode]:
    """Fresh codes for ``households``, in memory only; store them with ``store_codes``."""
    if len(households) > MAX_CODES:
        raise ValueError(f"at most {MAX_CODES} codes at once")
    return [IssuedCode(generate_code(), household) for household in households]


def store_codes(
    storage,
    secret_key: str,
    scope: str,
    issued: list[IssuedCode],
    *,
    expires_on: date | None = None,
) -> str:
    """Store the hashes of ``issued`` as one batch; returns the batch id.

    All or nothing: if storing fails half-way (or, against all odds, a code exists already),
    the codes stored so far are removed again and the error is raised.
    """
    collection = codes_collection(scope)
    batch = secrets.token_hex(6)
    # Only the day: a timestamp could coincide with (and so hint at) a response's time.
    created = datetime.now(UTC).date().isoformat()
    stored: list[str] = []
    with storage.locked(collection):
        try:
            for item in issued:
                key = code_hash(secret_key, scope, item.code)
                if storage.get(collection, key) is not None:
                    raise ValueError("a generated code exists already; generate again")
                storage.insert(
                    collection,
                    {
                        "id": key,
                        "street": item.household.street,
                        "batch": batch,
                        "created_on": created,
                        "expires_on": expires_on.isoformat() if expires_on else None,
                        "used": False,
                    },
                )
                stored.append(key)
        except BaseException:
            for key in stored:
                storage.delete(collection, key)
            raise
    return batch


def create_codes(
    storage,
    secret_key: str,
    scope: str,
    households: list[Household],
    *,
    expires_on: date | None = None,
) -> list[IssuedCode]:
    """Generate and store one code per household; the plain codes are returned only here."""
    issued = new_codes(households)
    store_codes(storage, secret_key, scope, issued, expires_on=expires_on)
    return issued


def delete_batch(storage: Storage, scope: str, batch: str) -> int:
    """Remove every code of one batch (for a print run that was never sent)."""
    collection = codes_collection(scope)
    with storage.locked(collection):
        doomed = [r["id"] for r in storage.find(collection, batch=batch)]
        for key in doomed:
            storage.delete(collection, key)
    return len(doomed)


# --- checking and using ---------------------------------------------------------------------


def _problem_of(record: dict[str, Any] | None, today: date | None = None) -> str | None:
    if record is None:
        return "unknown"
    if record.get("used"):
        return "used"
    expires = record.get("expires_on")
    if expires and (today or datetime.now(UTC).date()) > date.fromisoformat(expires):
        return "expired"
    return None


def verify_code(storage: Storage, secret_key: str, scope: str, text: str) -> str:
    """The code's id (its hash) when it may be used now; CodeProblem otherwise."""
    key = code_hash(secret_key, scope, text)
    problem = _problem_of(storage.get(codes_collection(scope), key))
    if problem:
        raise CodeProblem(problem)
    return key


def code_state(storage: Storage, scope: str, key: str) -> str | None:
    """None when the code with id ``key`` is still usable, else the CodeProblem kind."""
    return _problem_of(storage.get(codes_collection(scope), key))


@contextmanager
def using_code(
    storage, scope: str, key: str, *, anonymous: bool, channel: str, extra: dict | None = None
) -> Iterator[None]:
    """Hold the codes lock, re-check the code, run the body (the save), then mark it used.

    Raises CodeProblem before the body when the code was used in the meantime. In linked mode
    ``extra`` (the response's extra fields) gets ``access_code``; in anonymous mode nothing that
    could link the two is written on either side: not the response id, not a time, not the
    channel.
    """
    collection = codes_collection(scope)
    with storage.locked(collection):
        problem = code_state(storage, scope, key)
        if problem:
            raise CodeProblem(problem)
        if not anonymous and extra is not None:
            extra["access_code"] = key
        yield
        changes: dict[str, Any] = {"used": True}
        if not anonymous:
            changes.update(used_at=now(), channel=channel)
        storage.update(collection, key, changes)


def consume_code_for(village: Village, scope: str, code: str, *, anonymous: bool = True) -> None:
    """Use up ``code`` in ``scope`` now (one vote per household in a participation round).

    Raises CodeProblem (kind malformed, unknown, used or expired). For a use that must only
    count when something else is saved, wrap the save in ``using_code`` instead.
    """
    key = verify_code(village.storage, village.config.secret_key, scope, code)
    with using_code(village.storage, scope, key, anonymous=anonymous, channel="web"):
        pass


def household_key(secret_key: str, scope: str, key: str) -> str:
    """A stable id for the household holding the code with id ``key`` (a round's participant).

    Keyed once more with the secret: the code records' ids lie in ``data/`` next to the
    participants, and a plain hash of an id could be matched to its record (and so to a street).
    """
    message = f"household\x00{scope}\x00{key}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def draft_key(secret_key: str, scope: str, key: str) -> str:
    """The id of the draft that belongs to the code with id ``key`` (linked mode only).

    Keyed once more with the secret, as ``household_key``: the drafts collection must not hold
    a code record's id in the clear, nor anything a plain hash could match back to it.
    """
    message = f"draft\x00{scope}\x00{key}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def street_counts(storage: Storage, scope: str) -> list[StreetCount]:
    """Codes and used codes per street, sorted by street; never anything about answers."""
    totals: dict[str, list[int]] = {}
    for record in storage.all(codes_collection(scope)):
        entry = totals.setdefault(record.get("street") or "", [0, 0])
        entry[0] += 1
        entry[1] += 1 if record.get("used") else 0
    return [StreetCount(street, t, u) for street, (t, u) in sorted(totals.items())]


# --- address lists --------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
_HOUSE_NUMBER = re.compile(r"^[0-9]{1,5}(?:[ -]?[A-Za-z0-9]{1,6})?$")
#: A first row holding one of these column names is a header, not an address.
_HEADER_WORDS = (
    "straat",
    "straatnaam",
    "street",
    "huisnummer",
    "house number",
    "postcode",
    "woonplaats",
    "plaats",
)


def parse_addresses(data: bytes | str) -> list[Household]:
    """Households from a CSV of street, house number, postcode and optionally the place
    (woonplaats), comma or semicolon separated.

    A first row naming the columns is skipped. Every bad row is collected with its line
    number and reported at once in an AddressError; nothing is returned half.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on Windows saves CSV as cp1252 unless asked otherwise.
            text = data.decode("cp1252", errors="replace")
    else:
        text = data
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    households: list[Household] = []
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            line = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if line == 1 and any(c.lower() in _HEADER_WORDS for c in cells):
                continue
            household, message = _household(cells)
            if message:
                problems.append((line, message))
                continue
            key = (household.street.lower(), household.house_number.lower(), household.postcode)
            if key in seen:
                problems.append((line, _("zelfde adres als regel %(line)s", line=seen[key])))
                continue
            seen[key] = line
            households.append(household)
    except csv.Error as error:
        problems.append((reader.line_num, _("onleesbaar CSV-bestand: %(error)s", error=error)))
    if not households and not problems:
        problems.append((1, _("het bestand bevat geen adressen")))
    if len(households) > MAX_CODES:
        problems.append((1, _("hoogstens %(max)s adressen tegelijk", max=MAX_CODES)))
    if problems:
        raise AddressError(problems)
    return households


def _household(cells: list[str]) -> tuple[Household, str | None]:
    # Messages through Flask-Babel: the page's language on the web, Dutch (the msgid) or the
    # instance's language in a command.
    if len(cells) not in (3, 4):
        return Household(), _(
            "%(count)s kolommen, verwacht 3 of 4 (straat, huisnummer, postcode, woonplaats)",
            count=len(cells),
        )
    street, number, postcode = cells[:3]
    place = cells[3] if len(cells) == 4 else ""
    if len(place) > 80:
        return Household(), _("de woonplaats is te lang")
    if not street or len(street) > 100:
        return Household(), _("de straat is leeg of te lang")
    if not number:
        return Household(), _("het huisnummer ontbreekt")
    if not _HOUSE_NUMBER.fullmatch(number):
        return Household(), _(
            "'%(number)s' is geen huisnummer (zoals 12, 12a of 12-2)", number=number
        )
    if not postcode:
        return Household(), _("de postcode ontbreekt")
    match = _POSTCODE.fullmatch(postcode)
    if not match:
        return Household(), _(
            "'%(postcode)s' is geen Nederlandse postcode (zoals 1234 AB)", postcode=postcode
        )
    return Household(street, number, f"{match.group(1)} {match.group(2).upper()}", place), None


# --- throttling -----------------------------------------------------------------------------


@dataclass
class Throttle:
    """Counts failures per key in a sliding window; ``blocked`` once there are ``limit``.

    The counts are the village store's (``RecordStore.window_counts``): in memory on TinyDB (a
    restart forgets, which is fine against guessing 60-bit codes or passwords at a few attempts
    a minute), in the database on PostgreSQL, shared by every server process.
    """

    limit: int
    counts: WindowCounts

    def blocked(self, key: Any) -> bool:
        return self.counts.count(key) >= self.limit

    def fail(self, key: Any) -> None:
        self.counts.add(key)

    def reset(self, key: Any) -> None:
        self.counts.clear(key)

    def retry_after(self, key: Any) -> int:
        """Seconds until the oldest counted failure leaves the window."""
        return self.counts.retry_after(key)


def address_key(remote: str | None) -> str:
    """What throttles count an address as: an IPv6 address by its /64 network (one home or
    phone gets a whole /64, so every address in it is the same visitor), an IPv4 address (or
    one mapped into IPv6) as itself."""
    if not remote:
        return "unknown"
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def app_throttle(app, name: str, limit: int, window: float = 15 * 60) -> Throttle:
    """The app's throttle called ``name``, made on first use (never shared between apps)."""
    throttles = app.extensions.setdefault("vliegwiel_throttles", {})
    if name not in throttles:
        storage = app.extensions["vliegwiel"].storage
        throttles[name] = Throttle(limit, storage.window_counts(f"throttle-{name}", window))
    return throttles[name]
