"""Stewards' API tokens: created once, shown once, stored hashed, revocable.

A token reads ``ascf_<id>_<secret>``: the id (12 hex digits) is public and
names the token in the audit log and in ``ascf-graph token revoke``; the
secret is 256 random bits. Only ``sha256(salt || secret)`` is stored, with a
per-token random salt, in an SQLite file under the data directory (never in
the RDF store, whose graphs are public). A slow password hash (scrypt) would
buy nothing here: it protects guessable passwords, and 256 random bits cannot
be guessed; a plain salted SHA-256 keeps every authenticated request cheap.
Comparison is constant-time.

A token is issued for one organisation and, with the ``city`` role, for the
member cities it speaks for (``--city da-nang``); the ``network`` role is the
network's own (its secretariat), which alone states network-level facts.
What each may write is :mod:`ascf_graph.stewards.ownership`.
"""

import hashlib
import hmac
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ascf_graph.core.errors import (
    InvalidCredentialsError,
    MissingCredentialsError,
    TokenRevokedError,
    UnusableInputError,
)
from ascf_graph.core.slugs import slugify

_PREFIX = "ascf"
_TOKEN = re.compile(rf"{_PREFIX}_(?P<id>[0-9a-f]{{12}})_(?P<secret>[A-Za-z0-9_-]{{43}})")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    organisation_name TEXT NOT NULL,
    steward TEXT NOT NULL,
    salt BLOB NOT NULL,
    digest BLOB NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT,
    cities TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'city'
)
"""
#: Columns added since the first schema, with their definitions, for files made before.
_ADDED_COLUMNS = {"cities": "TEXT NOT NULL DEFAULT ''", "role": "TEXT NOT NULL DEFAULT 'city'"}

Role = Literal["city", "network"]
#: The roles a token may have: a city's organisation, or the network's own.
ROLES: tuple[Role, ...] = ("city", "network")


@dataclass(frozen=True)
class Steward:
    """Who a valid token speaks for."""

    token_id: str
    organisation: str
    organisation_name: str
    steward: str
    cities: tuple[str, ...] = ()
    """The slugs of the member cities the token speaks for (``da-nang``)."""
    role: Role = "city"


@dataclass(frozen=True)
class TokenRecord:
    """A token as stored: everything but the secret."""

    token_id: str
    organisation: str
    organisation_name: str
    steward: str
    created: str
    revoked: str | None
    cities: tuple[str, ...] = ()
    role: Role = "city"


class TokenStore:
    """The tokens in one SQLite file; every call opens and closes its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(
        self,
        organisation: str,
        steward: str,
        *,
        cities: tuple[str, ...] = (),
        role: Role = "city",
    ) -> tuple[TokenRecord, str]:
        """A new token for ``steward`` of ``organisation``: its record and the token itself.

        ``organisation`` is a name or a slug; its slug names the organisation
        (``{base}id/organisation/{slug}``). ``cities`` are the slugs of the member
        cities it speaks for; ``role`` is ``city``, or ``network`` for the network's own.
        """
        name, who = organisation.strip(), steward.strip()
        if not name or not who:
            raise UnusableInputError("a token needs an organisation and a steward")
        if role not in ROLES:
            raise UnusableInputError(f"the role is one of {', '.join(ROLES)}, not {role!r}")
        try:
            slug = slugify(name)
            bound = tuple(dict.fromkeys(slugify(city) for city in cities))
        except ValueError as error:
            raise UnusableInputError(str(error)) from None
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        record = TokenRecord(token_id, slug, name, who, _now(), None, bound, role)
        with self._connection() as db:
            db.execute(
                "INSERT INTO tokens (id, organisation, organisation_name, steward, salt, digest,"
                " created, revoked, cities, role) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                (
                    token_id,
                    slug,
                    name,
                    who,
                    salt,
                    _digest(salt, secret),
                    record.created,
                    " ".join(bound),
                    role,
                ),
            )
        return record, f"{_PREFIX}_{token_id}_{secret}"

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke the token ``token_id`` (its id, or the whole token); it stops working at once."""
        found = _TOKEN.fullmatch(token_id.strip())
        key = found["id"] if found else token_id.strip()
        with self._connection() as db:
            updated = db.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL", (_now(), key)
            ).rowcount
        record = next((r for r in self.records() if r.token_id == key), None)
        if record is None:
            raise UnusableInputError(f"no token with id {key!r}")
        if not updated:
            raise UnusableInputError(f"token {key} was already revoked on {record.revoked}")
        return record

    def records(self) -> list[TokenRecord]:
        """Every token ever created, oldest first (secrets are not stored, so not shown)."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT id, organisation, organisation_name, steward, created, revoked, cities,"
                " role FROM tokens ORDER BY created, id"
            ).fetchall()
        return [TokenRecord(*row[:6], tuple(row[6].split()), row[7]) for row in rows]

    def authenticate(self, token: str) -> Steward:
        """The steward ``token`` speaks for; :class:`InvalidCredentialsError` if none."""
        found = _TOKEN.fullmatch(token)
        if found is None:
            raise InvalidCredentialsError("the token is malformed; it reads ascf_<id>_<secret>")
        with self._connection() as db:
            row = db.execute(
                "SELECT organisation, organisation_name, steward, salt, digest, revoked, cities,"
                " role FROM tokens WHERE id = ?",
                (found["id"],),
            ).fetchone()
        refused = "the token is not valid (unknown or revoked)"
        if row is None:
            raise InvalidCredentialsError(refused, token_id=found["id"])
        organisation, name, steward, salt, digest, revoked, cities, role = row
        if not hmac.compare_digest(_digest(salt, found["secret"]), digest):
            raise InvalidCredentialsError(refused, token_id=found["id"])
        if revoked is not None:
            raise TokenRevokedError(refused, token_id=found["id"])
        return Steward(found["id"], organisation, name, steward, tuple(cities.split()), role)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                db.execute(_SCHEMA)
                _add_new_columns(db)
                yield db
        finally:
            db.close()


def _add_new_columns(db: sqlite3.Connection) -> None:
    """Bring a tokens file made before :data:`_ADDED_COLUMNS` up to date (its tokens keep
    the defaults: the city role, no city)."""
    present = {row[1] for row in db.execute("PRAGMA table_info(tokens)")}
    for name, definition in _ADDED_COLUMNS.items():
        if name not in present:
            db.execute(f"ALTER TABLE tokens ADD COLUMN {name} {definition}")  # our own names


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header; raise if there is none.

    >>> bearer_token("Bearer abc")
    'abc'
    """
    if not authorization or not authorization.strip():
        raise MissingCredentialsError(
            "this route changes data: send Authorization: Bearer <token> "
            "(create one with `ascf-graph token create`)"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingCredentialsError("send the token as Authorization: Bearer <token>")
    return token.strip()


def _digest(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode("ascii")).digest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
