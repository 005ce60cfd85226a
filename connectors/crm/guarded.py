"""The CRM behind the source guard; customer data is private and never cached across requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connectors.crm.protocol import CrmConnector
from connectors.crm.records import Customer, IdentifierType, Interaction, Voucher
from connectors.guard import CachePolicy, SourceGuard


class GuardedCrmConnector:
    """A `CrmConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: CrmConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        return await self._guard.batch(
            "customers", ids, self._inner.get_customers, policy=self._policy
        )

    async def find_customers(
        self, identifiers: Sequence[tuple[IdentifierType, str]]
    ) -> Mapping[tuple[IdentifierType, str], str]:
        return await self._guard.batch(
            "customer_ids_by_identifier",
            identifiers,
            self._inner.find_customers,
            policy=self._policy,
        )

    async def get_interactions(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Interaction]]:
        return await self._guard.batch(
            "interactions", customer_ids, self._inner.get_interactions, policy=self._policy
        )

    async def get_vouchers(self, customer_ids: Sequence[str]) -> Mapping[str, Sequence[Voucher]]:
        return await self._guard.batch(
            "vouchers", customer_ids, self._inner.get_vouchers, policy=self._policy
        )
