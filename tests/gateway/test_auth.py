"""Bearer tokens: HS256 development tokens verified, refused with a reason, and minted."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from gateway.auth import AuthenticationError, Authenticator, mint_token
from gateway.config import DEV_SECRET, AuthSettings
from resolvers.viewer import ANONYMOUS, Viewer
from tests.gateway.tokens import SETTINGS, claims, hs256, now, refused

# --- HS256 development tokens --------------------------------------------------------------


@pytest.mark.parametrize(
    ("minted", "expected"),
    [
        (
            {"role": "customer", "customer_id": "C-1001", "locale": "en"},
            Viewer(role="customer", subject="C-1001", customer_id="C-1001", locale="en"),
        ),
        (
            {"role": "kiosk", "subject": "kiosk-7", "store_id": "S-AMS", "channel": "KIOSK"},
            Viewer(role="kiosk", subject="kiosk-7", store_id="S-AMS", channel="KIOSK"),
        ),
        (
            {"role": "associate", "subject": "E-42", "store_id": "S-UTR", "scopes": ["orders"]},
            Viewer(
                role="associate", subject="E-42", store_id="S-UTR", scopes=frozenset({"orders"})
            ),
        ),
        (
            {"role": "service", "subject": "agent-3", "scopes": ["customers:read", "vouchers"]},
            Viewer(
                role="service", subject="agent-3", scopes=frozenset({"customers:read", "vouchers"})
            ),
        ),
        ({"role": "admin"}, Viewer(role="admin", subject="dev-admin")),
    ],
)
def test_a_minted_token_authenticates_as_its_role(minted, expected):
    token = mint_token(SETTINGS, **minted)

    assert Authenticator(SETTINGS).authenticate(f"Bearer {token}") == expected


def test_no_header_is_the_anonymous_viewer():
    authenticator = Authenticator(SETTINGS)

    assert authenticator.authenticate(None) is ANONYMOUS
    assert authenticator.authenticate("  ") is ANONYMOUS


def test_the_customer_id_claim_wins_over_the_subject():
    token = hs256(claims(sub="auth0|abc", customer_id="C-2002"))

    viewer = Authenticator(SETTINGS).authenticate(f"bearer {token}")

    assert (viewer.subject, viewer.customer_id) == ("auth0|abc", "C-2002")


def test_an_expired_token_is_refused_but_leeway_is_allowed():
    expired = mint_token(SETTINGS, role="admin", now=now() - timedelta(hours=2), ttl_seconds=3600)
    within_leeway = mint_token(
        SETTINGS, role="admin", now=now() - timedelta(seconds=70), ttl_seconds=60
    )

    assert refused(expired) == "the token has expired"
    assert Authenticator(SETTINGS).authenticate(f"Bearer {within_leeway}").role == "admin"


def test_a_token_that_is_not_yet_valid_is_refused():
    assert refused(hs256(claims(nbf=now() + timedelta(minutes=5)))) == "the token is not yet valid"
    assert refused(hs256(claims(iat=now() + timedelta(minutes=5)))) == "the token is not yet valid"


def test_a_forged_signature_is_refused():
    forged = hs256(claims(role="admin"), secret="another-secret-of-at-least-32-bytes!!")

    assert refused(forged) == "the token's signature is invalid"


def test_the_issuer_and_audience_must_match():
    assert refused(hs256(claims(iss="someone-else"))) == "the token is from an unknown issuer"
    assert refused(hs256(claims(aud="another-api"))) == "the token is for another audience"


def test_required_claims_are_checked():
    assert refused(hs256(claims(exp=None))) == "the token has no 'exp' claim"
    assert refused(hs256(claims(sub=None))) == "the token has no 'sub' claim"
    assert refused(hs256(claims(role=None))) == "the token has no 'role' claim"


def test_roles_and_their_bindings_are_checked():
    assert refused(hs256(claims(role="root"))) == (
        "the token's role 'root' is not one of kiosk, customer, associate, service, admin"
    )
    assert refused(hs256(claims(role="anonymous"))).startswith("the token's role 'anonymous'")
    assert refused(hs256(claims(role="kiosk", channel="KIOSK"))) == (
        "a kiosk token must carry the 'store' claim"
    )
    assert refused(hs256(claims(role="kiosk", store="S-1"))) == (
        "a kiosk token must carry the 'channel' claim"
    )
    assert refused(hs256(claims(role="associate"))) == (
        "a associate token must carry the 'store' claim"
    )
    assert refused(hs256(claims(channel="TV"))).startswith("the token's channel 'TV' is not one of")
    assert refused(hs256(claims(store=7))) == "the token's 'store' claim must be a non-empty string"


def test_the_none_algorithm_is_refused():
    unsigned = jwt.encode(claims(role="admin"), "", algorithm="none")

    assert refused(unsigned) == "the token's algorithm 'none' is not accepted; expected HS256"


def test_malformed_headers_and_tokens_are_refused():
    authenticator = Authenticator(SETTINGS)

    with pytest.raises(AuthenticationError, match="scheme 'Basic' is not supported"):
        authenticator.authenticate("Basic dXNlcjpwYXNz")
    with pytest.raises(AuthenticationError, match="the bearer token is empty"):
        authenticator.authenticate("Bearer ")
    assert refused("not-a-jwt") == "the bearer token is not a well-formed JWT"


# --- minting ----------------------------------------------------------------------------------


def test_minted_tokens_carry_the_configured_claims_and_lifetime():
    issued = now()
    token = mint_token(SETTINGS, role="customer", customer_id="C-1", now=issued, ttl_seconds=600)

    payload = jwt.decode(token, DEV_SECRET, algorithms=["HS256"], audience="commerce-gateway")

    assert payload == {
        "iss": "commerce-gateway",
        "aud": "commerce-gateway",
        "sub": "C-1",
        "role": "customer",
        "customer_id": "C-1",
        "iat": int(issued.timestamp()),
        "exp": int(issued.timestamp()) + 600,
    }


def test_minting_refuses_what_would_not_authenticate():
    with pytest.raises(ValueError, match="cannot mint tokens"):
        mint_token(AuthSettings(dev_secret=None), role="admin")
    with pytest.raises(ValueError, match="a kiosk token needs store"):
        mint_token(SETTINGS, role="kiosk", channel="KIOSK")
    with pytest.raises(ValueError, match="a customer token needs customer_id"):
        mint_token(SETTINGS, role="customer")
    with pytest.raises(ValueError, match="role must be one of"):
        mint_token(SETTINGS, role="anonymous")


def test_scopes_may_be_a_string_or_a_list():
    authenticator = Authenticator(SETTINGS)
    listed = hs256(claims(role="service", scope=["a", "b"]))

    assert authenticator.authenticate(f"Bearer {listed}").scopes == {"a", "b"}
    assert refused(hs256(claims(scope=7))) == (
        "the token's 'scope' claim must be a space-separated string"
    )
