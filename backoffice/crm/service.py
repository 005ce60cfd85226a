"""The CRM's service layer: customers, identifier lookup, interactions, vouchers and messages as JSON documents.

Every read takes a batch of keys, runs one statement per table and returns the documents
found; unknown keys are simply missing. The documents are what the CRM's REST API serves,
so the embedded and the HTTP connector parse the very same shapes. The writes — vouchers
issued, redeemed and released (`backoffice.crm.vouchers`), interactions recorded,
identifiers linked and messages sent (`backoffice.crm.contacts`) — are each keyed by the
caller, so that sending one again changes nothing.

A customer (`get_customers`)::

    {
        "id": "c-1001",
        "customer_number": "100001",
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@example.nl",
        "phone": "+31 6 1234 5678",
        "tier": "GOLD",
        "created_at": "2023-02-14T09:30:00+00:00",
        "identifiers": [
            {"type": "EMAIL", "value": "sanne@example.nl", "source": "webshop"},
            {"type": "LOYALTY_CARD", "value": "2600000000011", "source": "loyalty"}
        ],
        "consents": [
            {"purpose": "email_marketing", "granted": true, "at": "2023-02-14T09:31:00+00:00"}
        ]
    }

A match of an identifier (`find_customers`); `type` and `value` are echoed as requested::

    {"type": "EMAIL", "value": "Sanne@Example.nl", "customer_id": "c-1001"}

An interaction (`get_interactions`, newest first per customer)::

    {
        "id": "i-77",
        "customer_id": "c-1001",
        "at": "2024-03-02T14:05:00+00:00",
        "channel": "phone",
        "kind": "complaint",
        "note": "Promotion 3-for-2 not applied at the till.",
        "by": "agent-12"
    }

A voucher (`get_vouchers`, newest first per customer; `get_vouchers_by_code`; the writes);
`expires_at` null never expires, `redeemed_order_id` is the order it was spent on::

    {
        "id": "v-5",
        "customer_id": "c-1001",
        "code": "TB-7KQ2-MX9P-4HDA",
        "amount": "5.00",
        "currency": "EUR",
        "reason": "Compensation for a missed promotion",
        "issued_at": "2024-03-02T14:10:00+00:00",
        "redeemed_at": null,
        "expires_at": "2024-05-31T14:10:00+00:00",
        "redeemed_order_id": null,
        "issued_by": "svc:sanne"
    }

A message sent to a customer (`send_notification`, `get_notifications` oldest first)::

    {
        "key": "voucher:v-5",
        "customer_id": "c-1001",
        "template": "voucher_issued",
        "data": {"code": "TB-7KQ2-MX9P-4HDA", "amount": "5.00"},
        "sent_at": "2024-03-02T14:10:01+00:00"
    }
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.crm.contacts import Contacts
from backoffice.crm.documents import Document, interaction_document, voucher_document
from backoffice.crm.models import Consent, Customer, Identifier, Interaction, Voucher
from backoffice.crm.vouchers import Vouchers, new_voucher_code
from backoffice.documents import timestamp
from kernel.clock import Clock
from kernel.identifiers import normalise_identifier

__all__ = ["CrmService", "Document", "normalise_identifier"]


class CrmService:
    """The reference CRM: batch-first reads and keyed writes, as JSON documents.

    `clock` dates what the CRM writes and decides when a voucher has expired; `new_code`
    draws voucher codes (tests pin it).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        new_code: Callable[[], str] = new_voucher_code,
    ) -> None:
        self._sessions = sessions
        self._vouchers = Vouchers(sessions, clock=clock, new_code=new_code)
        self._contacts = Contacts(sessions, clock=clock)

    async def get_customers(self, ids: Sequence[str]) -> list[Document]:
        """The customers with these ids, each with its linked identifiers and consents."""
        if not ids:
            return []
        async with self._sessions() as session:
            customers = (
                await session.scalars(
                    select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)
                )
            ).all()
            if not customers:
                return []
            found = [customer.id for customer in customers]
            identifiers = (
                await session.scalars(
                    select(Identifier)
                    .where(Identifier.customer_id.in_(found))
                    .order_by(Identifier.id)
                )
            ).all()
            consents = (
                await session.scalars(
                    select(Consent).where(Consent.customer_id.in_(found)).order_by(Consent.purpose)
                )
            ).all()
        identifiers_of: dict[str, list[Document]] = {id_: [] for id_ in found}
        for identifier in identifiers:
            identifiers_of[identifier.customer_id].append(
                {"type": identifier.type, "value": identifier.value, "source": identifier.source}
            )
        consents_of: dict[str, list[Document]] = {id_: [] for id_ in found}
        for consent in consents:
            consents_of[consent.customer_id].append(
                {
                    "purpose": consent.purpose,
                    "granted": consent.granted,
                    "at": timestamp(consent.at),
                }
            )
        return [
            {
                "id": customer.id,
                "customer_number": customer.customer_number,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "email": customer.email,
                "phone": customer.phone,
                "tier": customer.tier,
                "created_at": timestamp(customer.created_at),
                "identifiers": identifiers_of[customer.id],
                "consents": consents_of[customer.id],
            }
            for customer in customers
        ]

    async def find_customers(self, identifiers: Sequence[Mapping[str, str]]) -> list[Document]:
        """The customers linked to these identifiers ({"type", "value"}), one match per identifier found.

        E-mail addresses match case-insensitively and phone numbers regardless of spaces. The
        customer's own e-mail and phone count as linked identifiers too. Should two customers
        share an identifier, the linked identifier wins over the customer's own field, then
        the lowest customer id.
        """
        wanted: dict[tuple[str, str], tuple[str, str]] = {}
        for identifier in identifiers:
            type_, value = identifier["type"], identifier["value"]
            wanted.setdefault((type_, value), (type_, normalise_identifier(type_, value)))
        if not wanted:
            return []
        values_by_type: dict[str, set[str]] = {}
        for type_, normalised in wanted.values():
            values_by_type.setdefault(type_, set()).add(normalised)
        emails = values_by_type.get("EMAIL", set())
        phones = values_by_type.get("PHONE", set())

        async with self._sessions() as session:
            linked = (
                await session.execute(
                    select(Identifier.type, Identifier.value, Identifier.customer_id)
                    .where(or_(*(_identifier_matches(t, v) for t, v in values_by_type.items())))
                    .order_by(Identifier.customer_id)
                )
            ).all()
            own: Sequence[Any] = []
            if emails or phones:
                own = (
                    await session.execute(
                        select(Customer.id, Customer.email, Customer.phone)
                        .where(
                            or_(
                                func.lower(Customer.email).in_(emails) if emails else false(),
                                func.replace(Customer.phone, " ", "").in_(phones)
                                if phones
                                else false(),
                            )
                        )
                        .order_by(Customer.id)
                    )
                ).all()

        customer_of: dict[tuple[str, str], str] = {}
        for type_, value, customer_id in linked:
            customer_of.setdefault((type_, normalise_identifier(type_, value)), customer_id)
        for customer_id, email, phone in own:
            if email is not None:
                customer_of.setdefault(("EMAIL", normalise_identifier("EMAIL", email)), customer_id)
            if phone is not None:
                customer_of.setdefault(("PHONE", normalise_identifier("PHONE", phone)), customer_id)
        return [
            {"type": type_, "value": value, "customer_id": customer_of[normalised_key]}
            for (type_, value), normalised_key in wanted.items()
            if normalised_key in customer_of
        ]

    async def get_interactions(self, customer_ids: Sequence[str]) -> list[Document]:
        """The interactions of these customers, newest first."""
        if not customer_ids:
            return []
        async with self._sessions() as session:
            interactions = (
                await session.scalars(
                    select(Interaction)
                    .where(Interaction.customer_id.in_(customer_ids))
                    .order_by(Interaction.at.desc(), Interaction.id.desc())
                )
            ).all()
        return [interaction_document(interaction) for interaction in interactions]

    async def get_vouchers(self, customer_ids: Sequence[str]) -> list[Document]:
        """The vouchers issued to these customers, newest first, redeemed ones included."""
        if not customer_ids:
            return []
        async with self._sessions() as session:
            vouchers = (
                await session.scalars(
                    select(Voucher)
                    .where(Voucher.customer_id.in_(customer_ids))
                    .order_by(Voucher.issued_at.desc(), Voucher.id.desc())
                )
            ).all()
        return [voucher_document(voucher) for voucher in vouchers]

    async def get_vouchers_by_code(self, codes: Sequence[str]) -> list[Document]:
        """The vouchers with these codes, compared in upper case; unknown codes are missing."""
        return await self._vouchers.by_code(codes)

    async def issue_voucher(
        self,
        voucher_id: Any,
        *,
        customer_id: Any,
        amount: Any,
        currency: Any,
        reason: Any,
        expires_at: Any = None,
        issued_by: Any = None,
    ) -> Document:
        """Issue a voucher under `voucher_id` with a code the CRM picks; the same id again answers it.

        Raises `NotFound` for an unknown customer, `Conflict` when the id names another
        voucher, `InvalidRequest` for a malformed one (amount "0.01" to "100000", reason
        1 to 500 characters, `expires_at` ISO 8601 with its offset).
        """
        return await self._vouchers.issue(
            voucher_id,
            customer_id=customer_id,
            amount=amount,
            currency=currency,
            reason=reason,
            expires_at=expires_at,
            issued_by=issued_by,
        )

    async def redeem_voucher(self, code: Any, *, order_id: Any, customer_id: Any) -> Document:
        """Spend the voucher on the order, once, before it expires; again for that order: unchanged.

        Raises `UnknownVoucher` (VOUCHER_NOT_FOUND) or `VoucherNotRedeemable`
        (VOUCHER_REDEEMED, VOUCHER_EXPIRED, VOUCHER_NOT_YOURS).
        """
        return await self._vouchers.redeem(code, order_id=order_id, customer_id=customer_id)

    async def release_voucher(self, code: Any, *, order_id: Any) -> Document:
        """Give back the voucher the order redeemed; unchanged if that order did not redeem it."""
        return await self._vouchers.release(code, order_id=order_id)

    async def record_interaction(
        self,
        interaction_id: Any,
        *,
        customer_id: Any,
        channel: Any,
        kind: Any,
        note: Any,
        by: Any = None,
    ) -> Document:
        """Record a contact under `interaction_id`, dated now; the same id again answers it."""
        return await self._contacts.record_interaction(
            interaction_id, customer_id=customer_id, channel=channel, kind=kind, note=note, by=by
        )

    async def link_identifier(
        self, customer_id: Any, *, type_: Any, value: Any, source: Any = None
    ) -> Document:
        """Link an identifier to the customer; the customer as it is now.

        Raises `IdentifierTaken` when another customer has it, `NotFound` for an unknown
        customer, `InvalidRequest` for a malformed identifier (`kernel.identifiers`).
        """
        found = await self._contacts.link_identifier(
            customer_id, type_=type_, value=value, source=source
        )
        [customer] = await self.get_customers([found])
        return customer

    async def send_notification(
        self, customer_id: Any, *, key: Any, template: Any, data: Any
    ) -> Document:
        """Send the customer a message, once per `key`; the same key again answers the first."""
        return await self._contacts.send_notification(
            customer_id, key=key, template=template, data=data
        )

    async def get_notifications(self, customer_ids: Sequence[str]) -> list[Document]:
        """The messages sent to these customers, oldest first."""
        return await self._contacts.get_notifications(customer_ids)


def _identifier_matches(type_: str, normalised: set[str]) -> ColumnElement[bool]:
    """A condition on the identifier table comparing stored values the way `normalise_identifier` does."""
    value: ColumnElement[str]
    if type_ == "EMAIL":
        value = func.lower(Identifier.value)
    elif type_ == "PHONE":
        value = func.replace(Identifier.value, " ", "")
    else:
        value = Identifier.value.expression
    return and_(Identifier.type == type_, value.in_(normalised))
