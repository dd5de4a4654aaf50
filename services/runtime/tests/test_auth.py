"""Static tokens: a subject and a role per token, known by digest, compared in constant time."""

import pytest
from pydantic import ValidationError

from carepath_runtime.auth import Caller, StaticToken, StaticTokens, token_digest


def tokens() -> StaticTokens:
    return StaticTokens(
        [
            StaticToken(subject="dr-hale", role="clinician", sha256=token_digest("clin-token")),
            StaticToken(subject="portal", role="integration", token="int-token"),
        ]
    )


async def test_a_configured_token_is_its_subject_and_role():
    assert await tokens().caller_of("clin-token") == Caller("dr-hale", "clinician")
    assert await tokens().caller_of("int-token") == Caller("portal", "integration")


async def test_an_unknown_token_is_nobody():
    assert await tokens().caller_of("guess") is None


async def test_only_digests_are_kept():
    assert "int-token" not in repr(vars(tokens()))


@pytest.mark.parametrize(
    "token",
    [
        {"subject": "a", "role": "clinician"},  # neither digest nor token
        {"subject": "a", "role": "clinician", "token": "t", "sha256": "0" * 64},  # both
        {"subject": "a", "role": "admin", "token": "t"},  # no such role
        {"subject": "a b", "role": "clinician", "token": "t"},  # not an id
        {"subject": "a", "role": "clinician", "sha256": "not-hex"},
    ],
)
def test_a_token_setting_must_say_who_which_role_and_one_secret(token):
    with pytest.raises(ValidationError):
        StaticToken.model_validate(token)
