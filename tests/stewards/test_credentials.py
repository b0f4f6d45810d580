"""API tokens: shown once, stored salted and hashed, revocable, bound to one organisation
and the member cities it speaks for, or the network's own role."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascf_graph.cli.main import app as cli
from ascf_graph.core.errors import (
    InvalidCredentialsError,
    MissingCredentialsError,
    TokenRevokedError,
    UnusableInputError,
)
from ascf_graph.core.settings import Settings
from ascf_graph.stewards.credentials import TokenStore, bearer_token
from tests.support.stores import clone_settings


@pytest.fixture
def tokens(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "credentials.sqlite3")


def test_a_token_authenticates_its_steward_and_organisation(tokens: TokenStore) -> None:
    record, token = tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    steward = tokens.authenticate(token)
    assert (steward.token_id, steward.organisation, steward.steward) == (
        record.token_id,
        "da-nang-city",
        "Lan",
    )


def test_the_secret_is_never_stored(tokens: TokenStore) -> None:
    _, token = tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    secret = token.split("_", 2)[2]
    stored = tokens.path.read_bytes()
    assert secret.encode() not in stored
    assert token.encode() not in stored


def test_a_revoked_token_is_refused(tokens: TokenStore) -> None:
    record, token = tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    tokens.revoke(record.token_id)
    with pytest.raises(TokenRevokedError):
        tokens.authenticate(token)
    with pytest.raises(UnusableInputError, match="already revoked"):
        tokens.revoke(record.token_id)


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "ascf_000000000000_" + "A" * 43, "ascf_zzzzzzzzzzzz_" + "A" * 43],
)
def test_unknown_or_malformed_tokens_are_refused(tokens: TokenStore, token: str) -> None:
    tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    with pytest.raises(InvalidCredentialsError):
        tokens.authenticate(token)


def test_a_right_id_with_a_wrong_secret_is_refused(tokens: TokenStore) -> None:
    record, token = tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    secret = token.split("_", 2)[2]
    forged = f"ascf_{record.token_id}_" + ("B" if secret[0] != "B" else "C") + secret[1:]
    with pytest.raises(InvalidCredentialsError):
        tokens.authenticate(forged)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer "])
def test_a_missing_bearer_token_is_refused(header: str | None) -> None:
    with pytest.raises(MissingCredentialsError):
        bearer_token(header)


def test_a_token_carries_its_cities_and_role(tokens: TokenStore) -> None:
    _, city = tokens.create("Da Nang City", "Lan", cities=("da-nang", "Da Nang"))
    _, network = tokens.create("ASEAN Smart Cities Network", "Secretariat", role="network")
    assert tokens.authenticate(city).cities == ("da-nang",)  # one slug, however written
    assert tokens.authenticate(city).role == "city"
    assert tokens.authenticate(network).role == "network"
    assert sorted(r.role for r in tokens.records()) == ["city", "network"]  # same second


def test_a_role_that_does_not_exist_is_refused(tokens: TokenStore) -> None:
    with pytest.raises(UnusableInputError, match="city, network"):
        tokens.create("Da Nang City", "Lan", role="admin")  # type: ignore[arg-type]


def test_tokens_made_before_cities_and_roles_still_work_for_no_city(tmp_path: Path) -> None:
    path = tmp_path / "credentials.sqlite3"
    with sqlite3.connect(path) as db:  # the first schema, with one token in it
        db.execute(
            "CREATE TABLE tokens (id TEXT PRIMARY KEY, organisation TEXT NOT NULL, "
            "organisation_name TEXT NOT NULL, steward TEXT NOT NULL, salt BLOB NOT NULL, "
            "digest BLOB NOT NULL, created TEXT NOT NULL, revoked TEXT)"
        )
        secret, salt = "S" * 43, b"0123456789abcdef"
        db.execute(
            "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                "0123456789ab",
                "da-nang-city",
                "Da Nang City",
                "Lan",
                salt,
                hashlib.sha256(salt + secret.encode()).digest(),
                "2026-01-01T00:00:00+00:00",
            ),
        )
    db.close()
    steward = TokenStore(path).authenticate(f"ascf_0123456789ab_{secret}")
    assert (steward.organisation, steward.cities, steward.role) == ("da-nang-city", (), "city")


def test_the_command_line_binds_a_token_to_member_cities_of_the_store(
    built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = clone_settings(built, tmp_path)
    monkeypatch.setenv("ASCF_DATA_DIR", str(settings.data_dir))
    command = ["token", "create", "--org", "Da Nang City", "--steward", "Lan"]
    made = CliRunner().invoke(cli, [*command, "--city", "da-nang"])
    assert made.exit_code == 0, made.output
    assert "role city, cities da-nang" in made.output
    unknown = CliRunner().invoke(cli, [*command, "--city", "atlantis"])
    assert unknown.exit_code == 2
    assert "no member city 'atlantis'" in unknown.output
    assert "da-nang" in unknown.output
    assert len(TokenStore(settings.credentials_file).records()) == 1
    listed = CliRunner().invoke(cli, ["token", "list"])
    assert " city  da-nang  Lan " in listed.output
