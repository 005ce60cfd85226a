"""A store network like the seeded one (real city coordinates), and routing the blue bag over it."""

from decimal import Decimal

from connectors.common import GeoPoint
from connectors.inventory.records import Location, LocationType
from resolvers.routing import RoutingDecision, RoutingWeights, route

# Real city coordinates of the seeded stores (backoffice/seed/stores.py).
AMSTERDAM = GeoPoint(52.3702, 4.8926)
HAARLEM = GeoPoint(52.3790, 4.6339)
ALMERE = GeoPoint(52.3716, 5.2196)
UTRECHT = GeoPoint(52.0901, 5.1207)
TILBURG = GeoPoint(51.5577, 5.0913)
WAALWIJK = GeoPoint(51.6918, 5.0456)
CUSTOMER = GeoPoint(52.3387, 4.8727)  # Amsterdam Zuid
BAG = "V-BAG-BLUE"


def location(
    id: str,
    code: str,
    name: str,
    *,
    type: LocationType = "STORE",
    geo: GeoPoint | None = None,
    footfall: int | None = None,
    ship_from_store: bool = True,
) -> Location:
    return Location(
        id=id,
        code=code,
        name=name,
        type=type,
        address=None,
        geo=geo,
        click_and_collect=type == "STORE",
        ship_from_store=ship_from_store,
        channels=("STORE", "WEB") if type == "STORE" else ("WEB",),
        footfall=footfall,
    )


KALVERSTRAAT = location("s01", "NL001", "Amsterdam Kalverstraat", geo=AMSTERDAM, footfall=3900)
GROTE_HOUTSTRAAT = location("s11", "NL011", "Haarlem Grote Houtstraat", geo=HAARLEM, footfall=2200)
STADHUISPLEIN = location("s08", "NL008", "Almere Stadhuisplein", geo=ALMERE, footfall=1200)
OUDEGRACHT = location("s04", "NL004", "Utrecht Oudegracht", geo=UTRECHT, footfall=3100)
HEUVELSTRAAT = location(
    "s07", "NL007", "Tilburg Heuvelstraat", geo=TILBURG, footfall=1600, ship_from_store=False
)
DC = location(
    "dc1",
    "DC01",
    "Distributiecentrum Waalwijk",
    type="DISTRIBUTION_CENTER",
    geo=WAALWIJK,
    ship_from_store=False,
)
NETWORK = (KALVERSTRAAT, GROTE_HOUTSTRAAT, STADHUISPLEIN, OUDEGRACHT, HEUVELSTRAAT, DC)


def route_bag(
    stock: dict[tuple[str, str], int],
    *,
    quantity: int = 1,
    candidates: tuple[Location, ...] = NETWORK,
    destination: GeoPoint | None = CUSTOMER,
    origin: str | None = "s01",
    total: str = "49.95",
    weights: RoutingWeights | None = None,
) -> RoutingDecision:
    return route(
        [(BAG, quantity)],
        candidates=candidates,
        stock=stock,
        destination=destination,
        origin_location_id=origin,
        order_total=Decimal(total),
        weights=weights or RoutingWeights(),
    )


def shipped(decision: RoutingDecision) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    return [(s.location_id, s.lines) for s in decision.shipments]
