"""The inventory part of the seed: stores, a distribution centre, a partner warehouse, stock."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from backoffice.seed.calendar import Calendar
from backoffice.seed.variants import Catalogue, variant_id

Row = dict[str, Any]

STORE_CHANNELS = ["STORE", "WEB", "APP", "KIOSK"]
DC_ID = "dc1"
PARTNER_ID = "pw1"


@dataclass(frozen=True, slots=True)
class Site:
    """A location as the seed lays it out: id, name, address, real city coordinates."""

    id: str
    code: str
    name: str
    type: str
    line1: str
    postal_code: str
    city: str
    latitude: float
    longitude: float
    footfall: int | None = None
    click_and_collect: bool = True
    ship_from_store: bool = True


STORES = (
    Site("s01", "NL001", "Amsterdam Kalverstraat", "STORE", "Kalverstraat 92", "1012 PH", "Amsterdam", 52.3702, 4.8926, 3900),
    Site("s02", "NL002", "Rotterdam Lijnbaan", "STORE", "Lijnbaan 45", "3012 EL", "Rotterdam", 51.9207, 4.4741, 3400),
    Site("s03", "NL003", "Den Haag Grote Marktstraat", "STORE", "Grote Marktstraat 28", "2511 BJ", "Den Haag", 52.0762, 4.3101, 2900),
    Site("s04", "NL004", "Utrecht Oudegracht", "STORE", "Oudegracht 150", "3511 AZ", "Utrecht", 52.0901, 5.1207, 3100),
    Site("s05", "NL005", "Eindhoven Demer", "STORE", "Demer 21", "5611 AS", "Eindhoven", 51.4392, 5.4771, 2500),
    Site("s06", "NL006", "Groningen Herestraat", "STORE", "Herestraat 60", "9711 LM", "Groningen", 53.2156, 6.5680, 1800),
    Site("s07", "NL007", "Tilburg Heuvelstraat", "STORE", "Heuvelstraat 34", "5038 AE", "Tilburg", 51.5577, 5.0913, 1600, ship_from_store=False),
    Site("s08", "NL008", "Almere Stadhuisplein", "STORE", "Stadhuisplein 12", "1315 HR", "Almere", 52.3716, 5.2196, 1200),
    Site("s09", "NL009", "Breda Ginnekenstraat", "STORE", "Ginnekenstraat 40", "4811 JH", "Breda", 51.5866, 4.7780, 1900),
    Site("s10", "NL010", "Nijmegen Broerstraat", "STORE", "Broerstraat 18", "6511 KL", "Nijmegen", 51.8462, 5.8645, 1500, click_and_collect=False),
    Site("s11", "NL011", "Haarlem Grote Houtstraat", "STORE", "Grote Houtstraat 70", "2011 SR", "Haarlem", 52.3790, 4.6339, 2200),
    Site("s12", "NL012", "Zwolle Diezerstraat", "STORE", "Diezerstraat 55", "8011 RG", "Zwolle", 52.5127, 6.0944, 850),
    Site("s13", "NL013", "Maastricht Grote Staat", "STORE", "Grote Staat 30", "6211 CX", "Maastricht", 50.8497, 5.6931, 2100, ship_from_store=False),
    Site("s14", "NL014", "Leeuwarden Nieuwestad", "STORE", "Nieuwestad 80", "8911 CR", "Leeuwarden", 53.2010, 5.7955, 640),
)  # fmt: skip
DC = Site(DC_ID, "DC01", "Distributiecentrum Waalwijk", "DISTRIBUTION_CENTER", "Logistiekweg 10", "5145 NW", "Waalwijk", 51.6918, 5.0456, click_and_collect=False, ship_from_store=False)  # fmt: skip
PARTNER = Site(PARTNER_ID, "PW01", "Partnermagazijn Venlo", "PARTNER", "Trade Port Noord 21", "5928 RC", "Venlo", 51.3935, 6.1340, click_and_collect=False, ship_from_store=False)  # fmt: skip
STORE_IDS = tuple(s.id for s in STORES)
#: Where a variant can have stock, in the order its quantities are drawn.
LOCATIONS = (DC_ID, PARTNER_ID, *STORE_IDS)
_BIT = {location: 1 << n for n, location in enumerate(LOCATIONS)}

#: (variant id, location id) -> units; None removes the pair. Applied after the random stock.
StockOverrides = Mapping[tuple[str, str], int | None]


def location_rows(rng: random.Random) -> list[Row]:
    """The stores, DC and partner; coordinates get a few metres of jitter."""
    rows = []
    for site in (*STORES, DC, PARTNER):
        store = site.type == "STORE"
        rows.append(
            {
                "id": site.id,
                "code": site.code,
                "name": site.name,
                "type": site.type,
                "line1": site.line1,
                "line2": None,
                "postal_code": site.postal_code,
                "city": site.city,
                "country": "NL",
                "latitude": round(site.latitude + rng.uniform(-0.0015, 0.0015), 6),
                "longitude": round(site.longitude + rng.uniform(-0.0015, 0.0015), 6),
                "click_and_collect": site.click_and_collect,
                "ship_from_store": site.ship_from_store,
                "channels": STORE_CHANNELS if store else ["WEB", "APP"],
                "footfall": site.footfall,
            }
        )
    return rows


def stock_rows(
    rng: random.Random,
    calendar: Calendar,
    catalogue: Catalogue,
    overrides: StockOverrides,
) -> Iterator[Row]:
    """Most variant × location pairs: a deep DC, a partner for bags and fashion, stores by size.

    Every quantity is drawn first, then every row's `updated_at` from the same stream, row
    by row: the order the seed has always drawn in. The quantities wait in between as two
    bytes each (and a bit per location), not as rows: 11.7 million pairs take ~25 MB.
    """
    # Busier stores keep deeper shelves.
    depth = [4 + (store.footfall or 0) // 400 for store in STORES]
    touched = {variant for variant, _ in overrides}
    # Per variant, which of LOCATIONS it has stock at (bit n for LOCATIONS[n]) ...
    held = array("H")
    # ... and the quantities there, in that order, variant after variant.
    quantities = array("H")
    present: set[tuple[str, str]] = set()
    for product in catalogue.products():
        bulky = product.department == "c02"
        partner = product.department in ("c03", "c04")
        for index in range(product.first, product.first + product.count):
            levels: dict[str, int] = {}
            if rng.random() < 0.96:
                levels[DC_ID] = rng.randint(20, 400) if rng.random() < 0.95 else 0
            if partner and rng.random() < 0.4:
                levels[PARTNER_ID] = rng.randint(5, 150)
            for store, deep in zip(STORE_IDS, depth, strict=True):
                if rng.random() >= 0.75:
                    continue
                shelf = deep + (20 if bulky else 0)
                levels[store] = 0 if rng.random() < 0.1 else rng.randint(1, shelf)
            variant = variant_id(index + 1)
            if variant in touched:
                for location in list(levels):
                    if (variant, location) in overrides:
                        present.add((variant, location))
                        quantity = overrides[variant, location]
                        if quantity is None:
                            del levels[location]
                        else:
                            levels[location] = quantity
            mask = 0
            for location, quantity in levels.items():
                mask |= _BIT[location]
                quantities.append(quantity)
            held.append(mask)
    # A pair the draws left out but the story wants comes after all drawn ones.
    added = [(key, q) for key, q in overrides.items() if q is not None and key not in present]
    newest = calendar.now
    n = 0
    for index, mask in enumerate(held):
        variant = variant_id(index + 1)
        for location in _locations(mask):
            yield _stock_row(rng, newest, variant, location, quantities[n])
            n += 1
    for (variant, location), quantity in added:
        yield _stock_row(rng, newest, variant, location, quantity)


@cache
def _locations(mask: int) -> tuple[str, ...]:
    return tuple(location for location in LOCATIONS if mask & _BIT[location])


def _stock_row(
    rng: random.Random, newest: datetime, variant: str, location: str, quantity: int
) -> Row:
    return {
        "variant_id": variant,
        "location_id": location,
        "quantity": quantity,
        "updated_at": newest - timedelta(seconds=rng.randint(60, 6 * 3600)),
    }
