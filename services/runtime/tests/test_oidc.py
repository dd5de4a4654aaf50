"""OpenID Connect access tokens: verified against the issuer's JWKS (served locally here);
audience, issuer and expiry checked; subject and role from the configured claims."""

import time

import jwt
import pytest

from carepath_runtime.auth import Caller
from carepath_runtime.oidc import OidcConfig, OidcVerifier
from carepath_testing.oidc_issuer import AUDIENCE, new_key, serving_issuer

SUBJECT = "3f0c9a1e-7b2d-4c55-9e61-0a8d2f4b7c10"


@pytest.fixture
def issuer():
    with serving_issuer() as issuer:
        yield issuer


def verifier(issuer, **config) -> OidcVerifier:
    return OidcVerifier(OidcConfig(issuer=issuer.url, audience=AUDIENCE, **config))


async def test_a_token_from_the_issuer_is_its_subject_in_its_role(issuer):
    caller = await verifier(issuer).caller_of(issuer.token())

    assert caller == Caller(SUBJECT, "clinician")
    # The keys were found through the issuer's OpenID configuration.
    assert issuer.fetches == ["/.well-known/openid-configuration", "/certs"]


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 120},  # expired
        {"aud": "another-api"},
        {"iss": "http://127.0.0.1:1/realms/elsewhere"},
        {"aud": None},  # no audience at all
        {"exp": None},  # never expires
        {"roles": ["offline_access"]},  # no Carepath role
        {"roles": ["clinician", "operator"]},  # one token, one role
        {"sub": "dr hale <x>"},  # not an id Carepath can record
    ],
)
async def test_a_token_the_issuer_did_not_mean_for_carepath_is_refused(issuer, claims):
    assert await verifier(issuer).caller_of(issuer.token(**claims)) is None


async def test_a_token_signed_with_another_key_is_refused(issuer):
    forged = issuer.token(key=new_key())

    assert await verifier(issuer).caller_of(forged) is None


async def test_an_unsigned_or_shared_secret_token_is_refused(issuer):
    claims = jwt.decode(issuer.token(), options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": issuer.kid})
    public_pem = issuer.jwks()["keys"][0]["n"]  # the classic confusion: a public value as secret
    hmac = jwt.encode(claims, public_pem, algorithm="HS256", headers={"kid": issuer.kid})

    assert await verifier(issuer).caller_of(unsigned) is None
    assert await verifier(issuer).caller_of(hmac) is None


async def test_keycloak_realm_roles_and_entra_app_roles_are_read_and_mapped(issuer):
    keycloak = issuer.token(roles=None, realm_access={"roles": ["operator", "uma_authorization"]})
    entra = issuer.token(roles=["Carepath.Integration"], oid="x")

    by_realm = verifier(issuer, roles_claim="realm_access.roles")
    by_app_role = verifier(issuer, role_map={"Carepath.Integration": "integration"})

    assert await by_realm.caller_of(keycloak) == Caller(SUBJECT, "operator")
    assert await by_app_role.caller_of(entra) == Caller(SUBJECT, "integration")


async def test_made_up_key_ids_do_not_make_us_fetch_the_keys_again_and_again(issuer):
    checker = verifier(issuer, jwks_url=issuer.jwks_url)
    assert await checker.caller_of(issuer.token()) is not None

    for attempt in range(5):
        assert await checker.caller_of(issuer.token(kid=f"made-up-{attempt}")) is None

    assert issuer.fetches.count("/certs") == 1


async def test_a_rotated_key_is_fetched_once_it_is_due(issuer):
    now = [0.0]
    checker = OidcVerifier(
        OidcConfig(issuer=issuer.url, audience=AUDIENCE, jwks_url=issuer.jwks_url),
        clock=lambda: now[0],
    )
    assert await checker.caller_of(issuer.token()) is not None
    issuer.key, issuer.kid = new_key(), "key-2"  # the issuer rotates its key
    now[0] = 61.0

    assert await checker.caller_of(issuer.token()) == Caller(SUBJECT, "clinician")
    assert issuer.fetches.count("/certs") == 2
