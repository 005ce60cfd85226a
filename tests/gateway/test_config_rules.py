"""The business rules' sections (checkout, vouchers, refunds) and the outbox's: read, checked, applied."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.bootstrap import build_rules
from gateway.config import Settings
from tests.gateway.config_support import problems_of, write

pytestmark = pytest.mark.usefixtures("empty_working_directory")


def test_checkout_amounts_are_exact_decimals_and_payment_methods_are_checked():
    settings = Settings.load(
        None,
        env={
            "GATEWAY_CHECKOUT__SHIPPING_FEE": "5.45",
            "GATEWAY_ROUTING__MARGIN_RATE": "0.25",
            "GATEWAY_CHECKOUT__PAYMENT_METHODS": '{ WEB = "card, invoice" }',
        },
    )
    assert settings.checkout.shipping_fee == Decimal("5.45")
    assert settings.routing.margin_rate == Decimal("0.25")
    rules = build_rules(settings)
    assert rules.checkout.shipping_fee == Decimal("5.45")
    assert rules.routing.margin_rate == Decimal("0.25")
    assert rules.payment_methods == {"WEB": ("CARD", "INVOICE")}

    assert problems_of(GATEWAY_CHECKOUT__SHIPPING_FEE="lots") == [
        "checkout.shipping_fee: not a decimal number (got 'lots' from "
        'GATEWAY_CHECKOUT__SHIPPING_FEE); expected a decimal amount, e.g. "4.95", of at least 0'
    ]
    assert problems_of(GATEWAY_CHECKOUT__PAYMENT_METHODS='{ WEB = "CARD, BITCOIN" }') == [
        "checkout.payment_methods.WEB: unknown payment methods (got ['BITCOIN']); expected any "
        "of CARD, CASH, GIFT_CARD, VOUCHER, MOBILE, INVOICE"
    ]


def test_the_outbox_settings_default_to_delivering_in_process_and_the_environment_tunes_them():
    defaults = Settings.load(env={}).outbox
    assert (defaults.in_process, defaults.poll_interval_seconds, defaults.batch_size) == (
        True,
        1.0,
        50,
    )
    assert (defaults.concurrency, defaults.lease_seconds, defaults.max_attempts) == (8, 30.0, 10)
    assert (defaults.backoff_base_seconds, defaults.backoff_max_seconds) == (1.0, 300.0)
    assert defaults.sent_retention_days == 7

    tuned = Settings.load(
        env={"GATEWAY_OUTBOX__IN_PROCESS": "false", "GATEWAY_OUTBOX__LEASE_SECONDS": "2"}
    ).outbox
    assert (tuned.in_process, tuned.lease_seconds) == (False, 2.0)


def test_an_outbox_backoff_capped_below_its_first_wait_is_refused():
    assert problems_of(
        GATEWAY_OUTBOX__BACKOFF_BASE_SECONDS="10", GATEWAY_OUTBOX__BACKOFF_MAX_SECONDS="5"
    ) == [
        "outbox.backoff_max_seconds: below backoff_base_seconds (got 5 < 10); expected a cap "
        "at least as long as the first wait"
    ]


def test_voucher_rules_come_from_the_vouchers_section_and_the_environment(tmp_path):
    path = write(tmp_path, '[vouchers]\nvalidity_days = 30\nmax_amount = "100.00"\n')

    from_file = build_rules(Settings.load(path, env={})).vouchers
    from_env = build_rules(
        Settings.load(path, env={"GATEWAY_VOUCHERS__MAX_AMOUNT": "75.50"})
    ).vouchers

    assert (from_file.validity_days, from_file.max_amount) == (30, Decimal("100.00"))
    assert (from_env.validity_days, from_env.max_amount) == (30, Decimal("75.50"))
    assert (Settings().vouchers.validity_days, Settings().vouchers.max_amount) == (
        90,
        Decimal("250.00"),
    )
    assert [p.split(":")[0] for p in problems_of(GATEWAY_VOUCHERS__VALIDITY_DAYS="0")] == [
        "vouchers.validity_days"
    ]
    assert [p.split(":")[0] for p in problems_of(GATEWAY_VOUCHERS__MAX_AMOUNT="0")] == [
        "vouchers.max_amount"
    ]


def test_the_refund_rules_refuse_cash_for_cards_and_unknown_names():
    assert problems_of(GATEWAY_RETURNS__REFUND_METHODS__CARD="CASH") == [
        "returns.refund_methods.CARD: a card payment refunded in cash (fraud rule) (got 'CASH'); "
        "expected CARD"
    ]
    assert problems_of(GATEWAY_RETURNS__REFUND_METHODS__GIFT_CARD="COINS") == [
        "returns.refund_methods.GIFT_CARD: unknown payment methods (got ['COINS']); expected any "
        "of CARD, CASH, GIFT_CARD, VOUCHER, MOBILE, INVOICE"
    ]
    assert problems_of(GATEWAY_RETURNS__SHIPPING_KEPT_FOR_TIERS="GOLD, PLATINUM") == [
        "returns.shipping_kept_for_tiers: unknown tiers (got ['PLATINUM']); expected any of "
        "STANDARD, SILVER, GOLD"
    ]
    rules = build_rules(
        Settings.load(env={"GATEWAY_RETURNS__SHIPPING_KEPT_FOR_TIERS": "gold, silver"})
    )
    assert rules.refunds.shipping_kept_for_tiers == {"GOLD", "SILVER"}
