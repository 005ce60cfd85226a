"""The connectors of every domain in both modes: embedded (the services in-process) and over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.crm.service import CrmService
from backoffice.db import sessionmaker
from backoffice.inventory.service import InventoryService
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders.service import OrdersService
from backoffice.pim.service import PimService
from backoffice.pricing.service import PricingService
from backoffice.rest import SYSTEMS
from connectors.crm.embedded import EmbeddedCrmConnector
from connectors.crm.http import HttpCrmConnector
from connectors.crm.protocol import CrmConnector
from connectors.inventory.embedded import EmbeddedInventoryConnector
from connectors.inventory.http import HttpInventoryConnector
from connectors.inventory.protocol import InventoryConnector
from connectors.loyalty.embedded import EmbeddedLoyaltyConnector
from connectors.loyalty.http import HttpLoyaltyConnector
from connectors.loyalty.protocol import LoyaltyConnector
from connectors.orders.embedded import EmbeddedOrdersConnector
from connectors.orders.http import HttpOrdersConnector
from connectors.orders.protocol import OrdersConnector
from connectors.pim.embedded import EmbeddedPimConnector
from connectors.pim.http import HttpPimConnector
from connectors.pim.protocol import PimConnector
from connectors.pricing.embedded import EmbeddedPricingConnector
from connectors.pricing.http import HttpPricingConnector
from connectors.pricing.protocol import PricingConnector
from tests.backoffice import live


@dataclass(frozen=True)
class Connectors:
    """One connector per domain, typed as the ports: mypy checks both modes implement them."""

    pim: PimConnector
    pricing: PricingConnector
    inventory: InventoryConnector
    crm: CrmConnector
    orders: OrdersConnector
    loyalty: LoyaltyConnector


def embedded_connectors(engine: AsyncEngine) -> Connectors:
    sessions = sessionmaker(engine)
    return Connectors(
        pim=EmbeddedPimConnector(PimService(sessions)),
        pricing=EmbeddedPricingConnector(PricingService(sessions, clock=live.CLOCK)),
        inventory=EmbeddedInventoryConnector(InventoryService(sessions, clock=live.CLOCK)),
        crm=EmbeddedCrmConnector(CrmService(sessions, clock=live.CLOCK)),
        orders=EmbeddedOrdersConnector(OrdersService(sessions, clock=live.CLOCK)),
        loyalty=EmbeddedLoyaltyConnector(LoyaltyService(sessions, clock=live.CLOCK)),
    )


@asynccontextmanager
async def connected(server: live.LiveBackoffice) -> AsyncIterator[Connectors]:
    """The HTTP adapters of every domain, each with a client configured as the gateway would."""
    # A generous timeout: these tests compare answers, some of them reading the whole
    # dataset in batches at once, and a loaded machine (CI, parallel work) made the
    # gateway's 2 s default time out.
    clients = {system: server.client(system, timeout=30.0) for system in SYSTEMS}
    try:
        yield Connectors(
            pim=HttpPimConnector(clients["pim"]),
            pricing=HttpPricingConnector(clients["pricing"]),
            inventory=HttpInventoryConnector(clients["inventory"]),
            crm=HttpCrmConnector(clients["crm"]),
            orders=HttpOrdersConnector(clients["orders"]),
            loyalty=HttpLoyaltyConnector(clients["loyalty"]),
        )
    finally:
        for client in clients.values():
            await client.aclose()
