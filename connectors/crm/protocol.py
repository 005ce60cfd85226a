"""The port of the customer system (CRM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.crm.records import Customer, IdentifierType, Interaction, Voucher


class CrmConnector(Protocol):
    """Read access to customers, their identifiers, interactions and vouchers."""

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]: ...

    async def find_customers(
        self, identifiers: Sequence[tuple[IdentifierType, str]]
    ) -> Mapping[tuple[IdentifierType, str], str]:
        """Customer ids by linked identifier; e-mail addresses match case-insensitively."""
        ...

    async def get_interactions(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Interaction]]: ...

    async def get_vouchers(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Voucher]]: ...
