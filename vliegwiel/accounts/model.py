"""Organiser accounts and their roles. Residents never need an account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import Storage
from vliegwiel.surveys.responses import now

USERS = "users"
#: beheerder: everything; ambassadeur: enter paper answers, see aggregate results;
#: lezer: read-only aggregate results (for example the province's contact).
ROLES = ("beheerder", "ambassadeur", "lezer")
MIN_PASSWORD_LENGTH = 10


class AccountError(VliegwielError, ValueError):
    """A clear reason why an account operation was refused."""

    code = "account"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    role: str
    #: Goes up on logout and password change: a session made before is no longer valid.
    session_version: int = 0
    #: A one-time password (from ``init``, ``user add`` or ``user passwd``): the user must
    #: choose an own password before any organiser page opens.
    must_change_password: bool = False

    def can(self, *roles: str) -> bool:
        return self.role in roles


def _normalise(username: str) -> str:
    name = username.strip().lower()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise AccountError(_("een gebruikersnaam heeft 1-64 letters, cijfers of . _ - @"))
    return name


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def check_new_password(password: str) -> None:
    """The one strength rule for every password: at least MIN_PASSWORD_LENGTH characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("een wachtwoord heeft minstens %(n)s tekens nodig", n=MIN_PASSWORD_LENGTH),
            reason="short",
        )


def add_user(
    storage: Storage,
    username: str,
    role: str,
    password: str | None = None,
    must_change: bool | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when not given).

    ``must_change`` (default: when the password was generated) makes it a one-time
    password that must be replaced at the first login.
    """
    name = _normalise(username)
    if role not in ROLES:
        raise AccountError(
            _("onbekende rol '%(role)s'; kies uit %(roles)s", role=role, roles=", ".join(ROLES))
        )
    if must_change is None:
        must_change = password is None
    password = password or generate_password()
    check_new_password(password)
    with storage.locked(USERS):
        if storage.find(USERS, username=name):
            raise AccountError(_("gebruiker '%(name)s' bestaat al", name=name))
        record = {
            "username": name,
            "role": role,
            "password_hash": generate_password_hash(password),
            "must_change_password": must_change,
            "created_at": now(),
        }
        user_id = storage.insert(USERS, record)
    return User(user_id, name, role, must_change_password=must_change), password


def _user(record: dict) -> User:
    return User(
        record["id"],
        record["username"],
        record["role"],
        record.get("session_version", 0),
        bool(record.get("must_change_password", False)),
    )


def list_users(storage: Storage) -> list[User]:
    return [_user(r) for r in storage.all(USERS)]


def end_sessions(storage: Storage, user_id: str) -> None:
    """Log this user out everywhere: every session cookie made so far stops working."""
    with storage.locked(USERS):
        record = storage.get(USERS, user_id)
        if record is not None:
            version = record.get("session_version", 0) + 1
            storage.update(USERS, user_id, {"session_version": version})


def get_user(storage: Storage, user_id: str) -> User | None:
    record = storage.get(USERS, user_id)
    return _user(record) if record else None


def find_user(storage: Storage, username: str) -> dict | None:
    try:
        name = _normalise(username)
    except AccountError:
        return None
    found = storage.find(USERS, username=name)
    return found[0] if found else None


def authenticate(storage: Storage, username: str, password: str) -> User | None:
    record = find_user(storage, username)
    if record is None:
        # Spend the same time as a real check, so response times do not reveal usernames.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(record["password_hash"], password):
        return None
    return _user(record)


def set_password(
    storage: Storage, username: str, password: str | None = None, must_change: bool = True
) -> str:
    """An administrator sets a new password (generated when not given); every session of
    the user ends. By default it is a one-time password the user must replace."""
    record = find_user(storage, username)
    if record is None:
        raise AccountError(_("geen gebruiker '%(name)s'", name=username))
    password = password or generate_password()
    check_new_password(password)
    _store_password(storage, record["id"], password, must_change)
    return password


def change_own_password(storage: Storage, user_id: str, current: str, new: str) -> User:
    """A user replaces their own password: the current one must be right and the new one
    strong enough and different. Every other session of the user ends; returns the user
    with the new session version (for the session that made the change)."""
    record = storage.get(USERS, user_id)
    if record is None:
        raise AccountError(_("deze gebruiker bestaat niet"), reason="unknown")
    if not check_password_hash(record["password_hash"], current):
        raise AccountError(_("het huidige wachtwoord klopt niet"), reason="wrong")
    check_new_password(new)
    if new == current:
        raise AccountError(_("het nieuwe wachtwoord is het oude"), reason="same")
    _store_password(storage, user_id, new, must_change=False)
    user = get_user(storage, user_id)
    assert user is not None
    return user


def _store_password(storage: Storage, user_id: str, password: str, must_change: bool) -> None:
    with storage.locked(USERS):
        version = (storage.get(USERS, user_id) or {}).get("session_version", 0) + 1
        storage.update(
            USERS,
            user_id,
            {
                "password_hash": generate_password_hash(password),
                "session_version": version,
                "must_change_password": must_change,
            },
        )


def remove_user(storage: Storage, username: str) -> None:
    with storage.locked(USERS):
        record = find_user(storage, username)
        if record is None:
            raise AccountError(_("geen gebruiker '%(name)s'", name=username))
        beheerders = [u for u in list_users(storage) if u.role == "beheerder"]
        if record["role"] == "beheerder" and len(beheerders) == 1:
            raise AccountError(_("de laatste beheerder kan niet worden verwijderd"))
        storage.delete(USERS, record["id"])


_DUMMY_HASH = generate_password_hash("vliegwiel-timing-equaliser")
