"""API tokens: shown once, stored salted and hashed, revocable, bound to one organisation."""

from pathlib import Path

import pytest

from ascf_graph.core.errors import (
    InvalidCredentialsError,
    MissingCredentialsError,
    TokenRevokedError,
    UnusableInputError,
)
from ascf_graph.stewards.credentials import TokenStore, bearer_token


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
