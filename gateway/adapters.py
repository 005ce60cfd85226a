"""The adapters: which connector serves each source, the embedded back office or its REST API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from backoffice.crm.service import CrmService
from backoffice.db import sessionmaker
from backoffice.inventory.service import InventoryService
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders.service import OrdersService
from backoffice.pim.service import PimService
from backoffice.pricing.service import PricingService
from connectors._http import build_client
from connectors._oauth import ClientCredentialsAuth
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
from gateway.config import Settings, SourceSettings
from kernel.clock import Clock


@dataclass(frozen=True, slots=True)
class Adapters:
    """The bare connector of every source: what the bottom layer of its stack calls."""

    pim: PimConnector
    pricing: PricingConnector
    inventory: InventoryConnector
    crm: CrmConnector
    orders: OrdersConnector
    loyalty: LoyaltyConnector


def build_auth(source: SourceSettings) -> ClientCredentialsAuth | None:
    """The OAuth2 auth of an HTTP source; a `token_url` path is appended to its base_url."""
    oauth = source.oauth
    if oauth is None:
        return None
    # The configuration checks that these are set (base_url because kind = "http").
    token_url, client_id, secret = oauth.token_url, oauth.client_id, oauth.client_secret
    assert token_url is not None
    assert client_id is not None
    assert secret is not None
    assert source.base_url is not None
    if not urlsplit(token_url).scheme:
        # Appended as httpx appends a request's path to base_url, so that a path means the
        # same here as in the connectors' calls (RFC 3986's join would drop base_url's path).
        token_url = source.base_url.rstrip("/") + token_url
    return ClientCredentialsAuth(token_url, client_id, secret, oauth.scope)


def build_adapters(
    settings: Settings,
    engine: AsyncEngine | None,
    clients: list[httpx.AsyncClient],
    clock: Clock,
) -> Adapters:
    """Every source's connector: embedded (the back office in-process) or HTTP.

    The pooled clients of HTTP sources are appended to `clients`, for the runtime to close.
    """
    sessions = sessionmaker(engine) if engine is not None else None

    def remote(name: str) -> tuple[httpx.AsyncClient, Mapping[str, str], int] | None:
        """A pooled client, field mapping and batch size for an HTTP source; None if embedded."""
        source = settings.sources[name]
        if source.kind != "http":
            return None
        assert source.base_url is not None  # the configuration checks it
        client = build_client(
            source.base_url,
            timeout=source.timeout,
            connect_timeout=source.connect_timeout,
            headers=source.headers,
            max_connections=source.max_concurrency,
            auth=build_auth(source),
        )
        clients.append(client)
        return client, source.mapping, source.max_batch

    def local() -> async_sessionmaker[Any]:
        assert sessions is not None  # an engine exists whenever a source is embedded
        return sessions

    return Adapters(
        pim=(
            HttpPimConnector(http[0], mapping=http[1], max_batch=http[2])
            if (http := remote("pim"))
            else EmbeddedPimConnector(PimService(local()))
        ),
        pricing=(
            HttpPricingConnector(http[0], mapping=http[1], max_batch=http[2])
            if (http := remote("pricing"))
            else EmbeddedPricingConnector(PricingService(local(), clock=clock))
        ),
        inventory=(
            HttpInventoryConnector(http[0], mapping=http[1], max_batch=http[2])
            if (http := remote("inventory"))
            else EmbeddedInventoryConnector(InventoryService(local(), clock=clock))
        ),
        crm=(
            HttpCrmConnector(http[0], mapping=http[1], max_batch=http[2])
            if (http := remote("crm"))
            else EmbeddedCrmConnector(CrmService(local(), clock=clock))
        ),
        orders=(
            HttpOrdersConnector(http[0], mapping=http[1], max_batch=http[2])
            if (http := remote("orders"))
            else EmbeddedOrdersConnector(OrdersService(local(), clock=clock))
        ),
        loyalty=(
            HttpLoyaltyConnector(http[0], mapping=http[1], max_batch=http[2])
            if (http := remote("loyalty"))
            else EmbeddedLoyaltyConnector(LoyaltyService(local(), clock=clock))
        ),
    )
