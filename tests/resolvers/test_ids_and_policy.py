import pytest

from resolvers.errors import BadUserInput, Forbidden, Unauthenticated
from resolvers.ids import (
    from_cursor,
    from_global_id,
    from_keyset_cursor,
    key_of,
    to_cursor,
    to_global_id,
    to_keyset_cursor,
)
from resolvers.policy import (
    ensure_may_look_up_by,
    ensure_may_read_customer,
    mask_email,
    mask_identifier,
)
from resolvers.viewer import ANONYMOUS, Viewer


def test_global_ids_round_trip_and_reject_garbage():
    gid = to_global_id("Product", "p00001")
    assert from_global_id(gid) == ("Product", "p00001")
    assert key_of(gid, "Product") == "p00001"
    for bad in [
        "",
        "not base64!",
        to_global_id("Nope", "1").replace("Tm9w", "Tm9x"),
        "UHJvZHVjdA==",
    ]:
        with pytest.raises(BadUserInput):
            from_global_id(bad)
    with pytest.raises(BadUserInput, match="ProductVariant"):
        key_of(gid, "ProductVariant")


def test_cursors_continue_after_the_item():
    assert from_cursor(None) == 0
    assert from_cursor(to_cursor(4)) == 5
    with pytest.raises(BadUserInput):
        from_cursor("bogus")


def test_keyset_cursors_wrap_the_sources_token_and_refuse_an_offset_cursor():
    cursor = to_keyset_cursor("WyJQMTAwMDAxIiwicDAwMDAxIl0")
    assert from_keyset_cursor(None) is None
    assert from_keyset_cursor(cursor) == "WyJQMTAwMDAxIiwicDAwMDAxIl0"
    assert "P100001" not in cursor
    for bad in ["", "bogus", to_cursor(4), to_keyset_cursor(""), "x" * 3000]:
        with pytest.raises(BadUserInput, match="not a cursor this API gave out"):
            from_keyset_cursor(bad)


CUSTOMER = Viewer(role="customer", subject="cu1", customer_id="cu1")


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (ANONYMOUS, Unauthenticated),
        (Viewer(role="kiosk", store_id="s01", channel="KIOSK"), Forbidden),
        (CUSTOMER, None),
        (Viewer(role="customer", customer_id="cu2"), Forbidden),
        (Viewer(role="associate", store_id="s01"), None),
        (Viewer(role="service"), None),
        (Viewer(role="admin"), None),
    ],
)
def test_who_may_read_customer_cu1(viewer, allowed):
    if allowed is None:
        ensure_may_read_customer(viewer, "cu1")
    else:
        with pytest.raises(allowed):
            ensure_may_read_customer(viewer, "cu1")


def test_associates_look_customers_up_by_loyalty_card_only():
    associate = Viewer(role="associate", store_id="s01")
    ensure_may_look_up_by(associate, "LOYALTY_CARD")
    with pytest.raises(Forbidden):
        ensure_may_look_up_by(associate, "EMAIL")
    ensure_may_look_up_by(Viewer(role="service"), "EMAIL")


def test_masking_keeps_enough_to_confirm_at_the_till():
    assert mask_email("jan.jansen@example.nl") == "j***@example.nl"
    assert mask_identifier("PHONE", "+31612345678") == "****5678"
    assert mask_identifier("LOYALTY_CARD", "2600000000011") == "2600000000011"
