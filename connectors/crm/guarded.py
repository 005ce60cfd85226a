"""The CRM behind the source guard; customer data is private and never cached across requests.

Reads of customers, interactions and vouchers go through the guard's batching with the
private policy (never written to a shared cache). Vouchers by code and notifications are
read live (`SourceGuard.call`): a checkout asks whether a voucher may be spent now, and a
cached answer could let it spend one twice.

Writes skip the cache and the batching. Every one is keyed by the caller (voucher id,
code and order, interaction id, identifier, notification key) and the CRM applies each
key once, so the guard may retry them when the CRM is unavailable (`idempotent=True`): a
retry whose first attempt did land answers what that attempt wrote instead of writing
twice. None of them is retried on a refusal, which is an answer.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from connectors.crm.protocol import CrmConnector
from connectors.crm.records import (
    Customer,
    IdentifierType,
    Interaction,
    NewInteraction,
    NewVoucher,
    Notification,
    Voucher,
)
from connectors.guard import CachePolicy, SourceGuard
from connectors.trace import Recorder


class GuardedCrmConnector:
    """A `CrmConnector` whose calls go through a `SourceGuard`."""

    def __init__(self, inner: CrmConnector, guard: SourceGuard, policy: CachePolicy) -> None:
        self._inner = inner
        self._guard = guard
        self._policy = policy

    def bound(self, recorder: Recorder) -> GuardedCrmConnector:
        """This connector as one request sees it: its calls recorded in `recorder`.

        A copy, so that what was set on the process's connector (a test's fault) holds.
        """
        view = copy.copy(self)
        view._guard = self._guard.bound(recorder)
        return view

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

    async def get_vouchers_by_code(self, codes: Sequence[str]) -> Mapping[str, Voucher]:
        if not codes:
            return {}
        # Live, never cached: whether a voucher may be spent is asked for now.
        return await self._guard.call(
            "vouchers_by_code", len(codes), lambda: self._inner.get_vouchers_by_code(codes)
        )

    async def issue_voucher(self, new: NewVoucher) -> Voucher:
        # Keyed by new.id: a retry answers the voucher the first attempt issued.
        return await self._guard.call(
            "issue_voucher", 1, lambda: self._inner.issue_voucher(new), idempotent=True
        )

    async def redeem_voucher(self, code: str, *, order_id: str, customer_id: str | None) -> Voucher:
        # Keyed by (code, order): redeeming again for the same order answers it unchanged.
        return await self._guard.call(
            "redeem_voucher",
            1,
            lambda: self._inner.redeem_voucher(code, order_id=order_id, customer_id=customer_id),
            idempotent=True,
        )

    async def release_voucher(self, code: str, *, order_id: str) -> Voucher:
        # Conditional on the order: a retry frees nothing another order spent.
        return await self._guard.call(
            "release_voucher",
            1,
            lambda: self._inner.release_voucher(code, order_id=order_id),
            idempotent=True,
        )

    async def record_interaction(self, new: NewInteraction) -> Interaction:
        return await self._guard.call(
            "record_interaction", 1, lambda: self._inner.record_interaction(new), idempotent=True
        )

    async def link_identifier(
        self, customer_id: str, identifier_type: IdentifierType, value: str, *, source: str | None
    ) -> Customer:
        # Linking what the customer has answers the customer unchanged.
        return await self._guard.call(
            "link_identifier",
            1,
            lambda: self._inner.link_identifier(customer_id, identifier_type, value, source=source),
            idempotent=True,
        )

    async def send_notification(
        self, customer_id: str, *, key: str, template: str, data: Mapping[str, str]
    ) -> Notification:
        # Once per key: a retry sends nothing the first attempt sent.
        return await self._guard.call(
            "send_notification",
            1,
            lambda: self._inner.send_notification(
                customer_id, key=key, template=template, data=data
            ),
            idempotent=True,
        )

    async def get_notifications(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Notification]]:
        if not customer_ids:
            return {}
        return await self._guard.call(
            "notifications",
            len(customer_ids),
            lambda: self._inner.get_notifications(customer_ids),
        )
