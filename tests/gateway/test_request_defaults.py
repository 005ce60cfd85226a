"""A request's channel, store and locale: from the settings, the token and the headers."""

from __future__ import annotations

import pytest

from gateway.auth import RequestDefaults, RequestError, negotiate_locale, resolve_request_defaults
from gateway.config import ContextSettings
from resolvers.ids import to_global_id
from resolvers.viewer import ANONYMOUS, Viewer

CONTEXT = ContextSettings()


# --- request defaults from headers ----------------------------------------------------------

KIOSK = Viewer(role="kiosk", subject="kiosk-7", store_id="S-AMS", channel="KIOSK")
ASSOCIATE = Viewer(role="associate", subject="E-42", store_id="S-UTR")


def defaults(viewer: Viewer = ANONYMOUS, **headers: str) -> RequestDefaults:
    lower = {name.replace("_", "-").lower(): value for name, value in headers.items()}
    return resolve_request_defaults(viewer, lower, CONTEXT)


def test_defaults_come_from_the_configuration_and_the_role():
    assert defaults() == RequestDefaults(channel="WEB", locale="nl", store_id=None)
    assert defaults(KIOSK) == RequestDefaults(channel="KIOSK", locale="nl", store_id="S-AMS")
    assert defaults(ASSOCIATE) == RequestDefaults(channel="STORE", locale="nl", store_id="S-UTR")
    assert defaults(Viewer(role="service", subject="a")).channel == "CALL_CENTER"
    assert defaults(Viewer(role="customer", subject="c", channel="APP")).channel == "APP"


def test_x_store_as_a_location_id_is_decoded_and_a_bound_viewer_may_repeat_it():
    location_id = to_global_id("Location", "S-AMS")
    assert defaults(x_store=location_id).store_id == "S-AMS"
    assert defaults(KIOSK, x_store=location_id).store_id == "S-AMS"
    assert defaults(x_store="NL001").store_id == "NL001", "codes are resolved by the resolvers"
    assert defaults(x_store=to_global_id("Product", "p1")).store_id == to_global_id(
        "Product", "p1"
    ), "left for the resolvers to refuse"


def test_headers_override_the_token_for_unbound_viewers():
    customer = Viewer(role="customer", subject="C-1", channel="APP", locale="en")

    assert defaults(customer, x_channel="web", x_store="S-9") == RequestDefaults(
        channel="WEB", locale="en", store_id="S-9"
    )


def test_an_unknown_channel_is_bad_user_input():
    with pytest.raises(RequestError) as caught:
        defaults(x_channel="TV")

    assert caught.value.code == "BAD_USER_INPUT"
    assert caught.value.message == (
        "X-Channel 'TV' is not a channel; expected one of "
        "WEB, APP, STORE, KIOSK, SIGNAGE, MARKETPLACE, CALL_CENTER"
    )


@pytest.mark.parametrize(
    ("viewer", "headers", "message"),
    [
        (
            KIOSK,
            {"x_channel": "WEB"},
            "this kiosk token is bound to channel 'KIOSK'; X-Channel 'WEB' may not change it",
        ),
        (
            KIOSK,
            {"x_store": "S-UTR"},
            "this kiosk token is bound to store 'S-AMS'; X-Store 'S-UTR' may not change it",
        ),
        (
            ASSOCIATE,
            {"x_store": "S-AMS"},
            "this associate token is bound to store 'S-UTR'; X-Store 'S-AMS' may not change it",
        ),
    ],
)
def test_bound_tokens_may_not_leave_their_store_or_channel(viewer, headers, message):
    with pytest.raises(RequestError) as caught:
        defaults(viewer, **headers)

    assert (caught.value.code, caught.value.message) == ("FORBIDDEN", message)


def test_bound_tokens_may_repeat_their_own_store_and_channel():
    assert defaults(KIOSK, x_channel="kiosk", x_store="S-AMS") == defaults(KIOSK)


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en-GB;q=0.8, nl;q=0.5", "en"),
        ("nl;q=0.2, en;q=0.9", "en"),
        ("fr", "nl"),
        ("*", "nl"),
        ("en;q=0, de", "nl"),
        ("en;q=oops, nl-BE", "nl"),
        (";;,, ;q=1", "nl"),
    ],
)
def test_accept_language_picks_the_first_supported_locale(accept_language, locale):
    assert defaults(accept_language=accept_language).locale == locale


def test_the_token_locale_is_used_when_the_header_names_nothing_supported():
    customer = Viewer(role="customer", subject="C-1", locale="en-US")

    assert defaults(customer, accept_language="fr").locale == "en"
    assert defaults(customer).locale == "en"


def test_negotiation_matches_a_bare_language_to_a_regional_locale():
    assert negotiate_locale("en", ("nl-BE", "en-GB")) == "en-GB"
    assert negotiate_locale("EN-gb", ("en-GB",)) == "en-GB"
    assert negotiate_locale(None, ("nl",)) is None
