"""The port of the customer system (CRM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.crm.records import (
    Customer,
    IdentifierType,
    Interaction,
    NewInteraction,
    NewVoucher,
    Notification,
    Voucher,
)


class CrmConnector(Protocol):
    """Customers, their identifiers, interactions, vouchers and the messages sent to them.

    Every write is keyed (an id or key the caller chooses) and may be sent again safely.
    Refusals are `connectors.errors.SourceRefused`: NotFound (no such customer),
    IdentifierTaken, VoucherNotRedeemable (code VOUCHER_NOT_FOUND, VOUCHER_REDEEMED,
    VOUCHER_EXPIRED or VOUCHER_NOT_YOURS).
    """

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

    async def get_vouchers_by_code(self, codes: Sequence[str]) -> Mapping[str, Voucher]:
        """The vouchers with these codes (case-insensitive); unknown codes are absent."""
        ...

    async def issue_voucher(self, new: NewVoucher) -> Voucher: ...

    async def redeem_voucher(self, code: str, *, order_id: str, customer_id: str | None) -> Voucher:
        """Spend the voucher on `order_id`, once and before it expires (the CRM's clock).

        Redeeming it again for the same order answers it unchanged. A voucher issued to a
        customer other than `customer_id` is VOUCHER_NOT_YOURS.
        """
        ...

    async def release_voucher(self, code: str, *, order_id: str) -> Voucher:
        """Undo `order_id`'s redemption (a checkout that failed); a no-op if it did not redeem it."""
        ...

    async def record_interaction(self, new: NewInteraction) -> Interaction: ...

    async def link_identifier(
        self, customer_id: str, identifier_type: IdentifierType, value: str, *, source: str | None
    ) -> Customer:
        """Link the identifier to the customer (again: unchanged); IdentifierTaken if another has it."""
        ...

    async def send_notification(
        self, customer_id: str, *, key: str, template: str, data: Mapping[str, str]
    ) -> Notification:
        """Send the customer a message, once per `key` (the same key again sends nothing)."""
        ...

    async def get_notifications(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Notification]]:
        """The messages sent to each customer, oldest first."""
        ...
