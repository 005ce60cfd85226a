from decimal import Decimal

from kernel.gtin import check_digit, is_valid_gtin, make_gtin13
from kernel.money import allocate, round_money


def test_rounding_is_half_up_to_the_cent():
    assert round_money(Decimal("2.9985")) == Decimal("3.00")
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("0.0049")) == Decimal("0.00")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")


def test_yen_has_no_minor_unit():
    assert round_money(Decimal("100.5"), "JPY") == Decimal("101")


def test_allocation_adds_up_exactly_with_the_remainder_on_the_last_line():
    parts = allocate(Decimal("10.00"), [Decimal("1"), Decimal("1"), Decimal("1")])
    assert parts == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]
    assert sum(parts) == Decimal("10.00")


def test_allocation_is_proportional():
    assert allocate(Decimal("5.00"), [Decimal("30.00"), Decimal("70.00")]) == [
        Decimal("1.50"),
        Decimal("3.50"),
    ]


def test_gtin_check_digits():
    assert check_digit("871234567890") == int(make_gtin13("871234567890")[-1])
    assert is_valid_gtin("4006381333931")
    assert not is_valid_gtin("4006381333932")
    assert not is_valid_gtin("40063813339a1")
    assert not is_valid_gtin("123")
