"""The fixed part of the seed that the customer journeys tell their stories with, in every size.

* Jeroen Bakker (DEMO_CUSTOMER_ID, GOLD) bought one can of the paint in store s01 this week,
  while "3 for 2" runs across channels; he has web, app and store orders, an open web order
  whose delivery date can still change, a complaint about a late delivery and the unredeemed
  voucher it earned him, and an older voucher he redeemed online.
* The laptop bag in cognac is out of stock in s01 and at the DC, but in stock in some
  quieter stores (endless aisle).
* The bikini in size 38 sells well in s03 (Den Haag), which has one left; Fleur Visser
  (RETURNING_CUSTOMER_ID) ordered it online in 38 and 40 and can return one. Her welcome
  voucher expired a month ago, unspent.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from backoffice.seed.calendar import Calendar
from backoffice.seed.catalogue import TYPE_OF, ProductDraft
from backoffice.seed.customers import Crm, CustomerDraft, SeedCustomer, SeedVoucher
from backoffice.seed.orders import OrderDraft
from backoffice.seed.stores import DC_ID, STORE_IDS, StockOverrides
from backoffice.seed.variants import Catalogue, SeedVariant, product_id
from backoffice.seed.words import Term

DEMO_CUSTOMER_ID = "cu00001"
RETURNING_CUSTOMER_ID = "cu00002"
PAINT_PRODUCT_ID = "p00001"
PAINT_VARIANT_ID = "v000001"
LAPTOP_BAG_PRODUCT_ID = "p00002"
LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID = "v000007"
BIKINI_PRODUCT_ID = "p00003"
BIKINI_LOW_STOCK_VARIANT_ID = "v000011"
#: The store that sells the bikini well and has one left in size 38.
BIKINI_STORE_ID = "s03"
#: The demo customer's store, where the cognac laptop bag is out of stock.
HOME_STORE_ID = "s01"

PRODUCTS = (
    ProductDraft(
        type=TYPE_OF["c0201"],
        name=Term("Muurverf Extra Mat 2,5 L", "Wall paint extra matt 2.5 L"),
        brand="Polderverf",
        material=Term("extra mat", "extra matt"),
        colours=("WHITE", "OFFWHITE", "LIGHTGREY", "SAND", "SAGE"),
        sizes=(),
        price=Decimal("39.95"),
        media=3,
    ),
    ProductDraft(
        type=TYPE_OF["c0401"],
        name=Term("Laptoptas Amsterdam 15,6 inch", "Laptop bag Amsterdam 15.6 inch"),
        brand="Urban Carry",
        material=Term("leer", "leather"),
        colours=("BLACK", "COGNAC", "NAVY", "GREY"),
        sizes=(),
        price=Decimal("89.95"),
        media=3,
        pitches=(0, 2),
    ),
    ProductDraft(
        type=TYPE_OF["c0501"],
        name=Term("Bikini Noordwijk", "Bikini Noordwijk"),
        brand="Zeebries",
        material=Term("gerecycled nylon", "recycled nylon"),
        colours=("CORAL",),
        sizes=("36", "38", "40", "42", "44"),
        price=Decimal("49.95"),
        media=2,
    ),
    ProductDraft(
        type=TYPE_OF["c0101"],
        name=Term("Sierkussen Lotte fluweel 45x45 cm", "Cushion Lotte velvet 45x45 cm"),
        brand="Noordlicht",
        material=Term("fluweel", "velvet"),
        colours=("OCHRE", "SAGE", "BLUSH"),
        sizes=(),
        price=Decimal("24.95"),
    ),
    ProductDraft(
        type=TYPE_OF["c0104"],
        name=Term("Geurkaars Vijgenblad", "Scented candle Fig leaf"),
        brand="Huiskamer",
        material=Term("vijg", "fig"),
        colours=("WHITE", "SAND"),
        sizes=(),
        price=Decimal("12.99"),
        media=1,
    ),
)


def customers(calendar: Calendar) -> list[CustomerDraft]:
    return [
        CustomerDraft(
            first_name="Jeroen",
            last_name="Bakker",
            tier="GOLD",
            created_at=calendar.days_ago(1600, at=time(14, 5)),
            email="jeroen.bakker@example.com",
            phone="+31612345678",
            card=True,
            extra=(("EXTERNAL", "WS-100001", "webshop"),),
            consents=(
                ("email_marketing", True),
                ("personalisation", True),
                ("sms_marketing", False),
            ),
        ),
        CustomerDraft(
            first_name="Fleur",
            last_name="Visser",
            tier="SILVER",
            created_at=calendar.days_ago(700, at=time(19, 40)),
            email="fleur.visser@example.net",
            phone="+31687654321",
            card=True,
            extra=(("SOCIAL", "facebook:104729384756123", "facebook"),),
            card_source="app",
        ),
    ]


def vouchers(calendar: Calendar, crm: Crm) -> tuple[SeedVoucher, SeedVoucher]:
    """The demo's redeemed birthday voucher and his unredeemed late-delivery compensation."""
    birthday = crm.voucher(
        DEMO_CUSTOMER_ID, "TB-VERJ-5EUR", Decimal(5), "Verjaardagsattentie",
        calendar.days_ago(60, at=time(8, 0)), redeem=False,
    )  # fmt: skip
    late = crm.voucher(
        DEMO_CUSTOMER_ID, "TB-SORRY-10EUR", Decimal(10), "Compensatie voor late levering",
        calendar.days_ago(14, at=time(10, 35)), redeem=False, issued_by="svc:sanne",
    )  # fmt: skip
    return birthday, late


def expired_voucher(calendar: Calendar, crm: Crm) -> SeedVoucher:
    """Fleur's welcome voucher, never spent and expired a month ago (issued over a year back)."""
    return crm.voucher(
        RETURNING_CUSTOMER_ID, "TB-WELKOM-5EUR", Decimal(5), "Welkomstcadeau klantenkaart",
        calendar.days_ago(395, at=time(9, 0)), redeem=False,
    )  # fmt: skip


def stock_overrides(catalogue: Catalogue) -> StockOverrides:
    """Cognac bag: none in s01 or the DC, a few in quiet stores; bikini 38: one left in s03."""
    overrides: dict[tuple[str, str], int | None] = {}
    for v in catalogue.product_variants(PAINT_PRODUCT_ID):
        overrides[v.id, DC_ID] = 300
        for store in STORE_IDS:
            overrides[v.id, store] = 12 + int(v.id[-1]) % 5
    cognac = {"s03": 2, "s06": 5, "s12": 4, "s14": 3}
    for v in catalogue.product_variants(LAPTOP_BAG_PRODUCT_ID):
        if v.id == LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID:
            for store in STORE_IDS:
                overrides[v.id, store] = cognac.get(store)
            overrides[v.id, HOME_STORE_ID] = 0
            overrides[v.id, DC_ID] = 0
            overrides[v.id, "pw1"] = None
        else:
            overrides[v.id, HOME_STORE_ID] = 3
            overrides[v.id, DC_ID] = 60
    for v, in_s03 in zip(
        catalogue.product_variants(BIKINI_PRODUCT_ID), (4, 1, 5, 3, 2), strict=True
    ):
        for n, store in enumerate(STORE_IDS):
            overrides[v.id, store] = 3 + n % 4
        overrides[v.id, BIKINI_STORE_ID] = in_s03
        overrides[v.id, DC_ID] = 40
    return overrides


def orders(
    calendar: Calendar, catalogue: Catalogue, crm: Crm, birthday: SeedVoucher
) -> list[OrderDraft]:
    """The demo's and the returning customer's orders, and the bikini sales in s03."""
    by_sku = {
        v.sku: v
        for n in range(1, len(PRODUCTS) + 1)
        for v in catalogue.product_variants(product_id(n))
    }
    demo, returning = _customer(crm, DEMO_CUSTOMER_ID), _customer(crm, RETURNING_CUSTOMER_ID)

    def line(sku: str, quantity: int = 1) -> tuple[SeedVariant, int]:
        return by_sku[sku], quantity

    # Bought in store this week: yesterday, or this morning when today is Monday.
    paint_day = 0 if calendar.today.weekday() == 0 else 1
    drafts = [
        OrderDraft(
            "APP", calendar.days_ago(95, at=time(12, 40)), demo, [line("P100002-BLACK")],
            "CLICK_AND_COLLECT", HOME_STORE_ID, 20, 1, "MOBILE", auto=False, tag="demo-app",
        ),
        OrderDraft(
            "WEB", calendar.days_ago(41, at=time(19, 12)), demo,
            [line("P100004-OCHRE"), line("P100005-WHITE")],
            "SHIP_TO_HOME", DC_ID, 16, 1, "CARD", voucher=birthday, auto=False, tag="demo-web",
        ),
        OrderDraft(
            "WEB", calendar.days_ago(20, at=time(21, 5)), demo,
            [line("P100004-SAGE", 2), line("P100005-SAND")],
            "SHIP_TO_HOME", DC_ID, 20, 5, "CARD", auto=False, tag="demo-late",
        ),
        OrderDraft(
            "STORE", calendar.days_ago(paint_day, at=time(9, 30) if paint_day == 0 else time(10, 15)),
            demo, [line("P100001-WHITE")],
            "CARRY_OUT", HOME_STORE_ID, 0, 0, "CARD", auto=False, tag="demo-paint",
        ),
        OrderDraft(
            "WEB", calendar.now - timedelta(hours=16), demo,
            [line("P100002-NAVY"), line("P100005-WHITE", 2)],
            "SHIP_TO_HOME", DC_ID, 30, 2, "MOBILE", auto=False, tag="demo-open",
        ),
        OrderDraft(
            "WEB", calendar.days_ago(9, at=time(18, 30)), returning,
            [line("P100003-CORAL-38"), line("P100003-CORAL-40")],
            "SHIP_TO_HOME", DC_ID, 14, 1, "MOBILE", auto=False, tag="bikini",
        ),
        # Just placed: the payment has not cleared yet.
        OrderDraft(
            "APP", calendar.now - timedelta(minutes=1), returning, [line("P100005-SAND")],
            "CLICK_AND_COLLECT", BIKINI_STORE_ID, 20, 1, "MOBILE", auto=False, tag="just-placed",
        ),
    ]  # fmt: skip
    for days, size, hour in (
        (3, "38", 11),
        (8, "38", 15),
        (15, "36", 13),
        (22, "40", 16),
        (34, "38", 10),
        (47, "42", 14),
    ):
        drafts.append(
            OrderDraft(
                "STORE", calendar.days_ago(days, at=time(hour, 20)), None, [line(f"P100003-CORAL-{size}")],
                "CARRY_OUT", BIKINI_STORE_ID, 0, 0, "CARD" if days % 2 else "CASH", auto=False,
            )
        )  # fmt: skip
    return drafts


def interactions(calendar: Calendar, crm: Crm, numbers: dict[str, str]) -> None:
    """Contacts that refer to the story's orders by number."""
    crm.interaction(
        DEMO_CUSTOMER_ID, calendar.days_ago(94, at=time(9, 15)), "CALL_CENTER", "call",
        f"Vroeg of de laptoptas uit bestelling {numbers['demo-app']} ook in cognac leverbaar is.",
        "svc:joris",
    )  # fmt: skip
    crm.interaction(
        DEMO_CUSTOMER_ID, calendar.days_ago(14, at=time(10, 20)), "CALL_CENTER", "complaint",
        f"Bestelling {numbers['demo-late']} kwam vijf dagen later dan beloofd. "
        "Tegoedbon TB-SORRY-10EUR van € 10,00 uitgegeven als compensatie.",
        "svc:sanne",
    )  # fmt: skip
    paint_day = 0 if calendar.today.weekday() == 0 else 1
    crm.interaction(
        DEMO_CUSTOMER_ID, calendar.days_ago(paint_day, at=time(9, 10) if paint_day == 0 else time(9, 55)),
        "STORE", "store_visit",
        f"Kleuradvies muurverf gegeven. Klant nam één blik mee ({numbers['demo-paint']}) en "
        "bestelt de andere twee online; 3 halen, 2 betalen telt winkel en webshop samen.",
        f"{HOME_STORE_ID}:kees",
    )  # fmt: skip


def _customer(crm: Crm, customer_id: str) -> SeedCustomer:
    return next(c for c in crm.customers if c.id == customer_id)
