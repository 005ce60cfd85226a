"""Sales per variant and location: what sells where, for deciding where a returned item goes.

One statement, grouped in the database, whatever the number of orders: the units of each
variant in orders placed since a moment, net of what was returned of them, summed per the
order's `location_id` (the store it was placed or collected in). Orders without a
location (shipped from a warehouse) and cancelled orders are left out; so are pairs whose
units were all returned. A sale document::

    {"variant_id": "v000001", "location_id": "s04", "quantity": 7}
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import InvalidRequest
from backoffice.orders.documents import Document
from backoffice.orders.models import Order, OrderLine
from backoffice.orders.statuses import CANCELLED
from backoffice.rest import MAX_KEYS

#: The most variants one sales read may name, as for every batch read of the back office
#: (its REST API refuses more; the HTTP connector splits longer lists).
MAX_VARIANTS = MAX_KEYS


async def units_sold(
    sessions: async_sessionmaker[AsyncSession], variant_ids: Sequence[str], *, since: datetime
) -> list[Document]:
    """The sale documents of these variants since `since`, by variant then location."""
    if since.tzinfo is None:
        raise InvalidRequest("'since' must carry a UTC offset")
    wanted = set(variant_ids)
    if len(wanted) > MAX_VARIANTS:
        raise InvalidRequest(
            f"{len(wanted)} variants in one sales read; at most {MAX_VARIANTS}, so split the list"
        )
    if not wanted:
        return []
    units = func.sum(OrderLine.quantity - OrderLine.returned_quantity)
    statement = (
        select(OrderLine.variant_id, Order.location_id, units)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.variant_id.in_(wanted),
            Order.location_id.is_not(None),
            Order.status != CANCELLED,
            Order.placed_at >= since,
        )
        .group_by(OrderLine.variant_id, Order.location_id)
        .having(units > 0)
        .order_by(OrderLine.variant_id, Order.location_id)
    )
    async with sessions() as session:
        rows = (await session.execute(statement)).all()
    return [
        {"variant_id": variant_id, "location_id": location_id, "quantity": int(quantity)}
        for variant_id, location_id, quantity in rows
    ]
