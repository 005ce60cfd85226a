"""The CRM's service layer: customers, identifier lookup, interactions and vouchers as JSON documents.

Every method takes a batch of keys, runs one statement per table and returns the documents
found; unknown keys are simply missing. The documents are what the CRM's REST API serves,
so the embedded and the HTTP connector parse the very same shapes.

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

A voucher (`get_vouchers`, newest first per customer)::

    {
        "id": "v-5",
        "customer_id": "c-1001",
        "code": "SORRY-5EUR",
        "amount": "5.00",
        "currency": "EUR",
        "reason": "Compensation for a missed promotion",
        "issued_at": "2024-03-02T14:10:00+00:00",
        "redeemed_at": null
    }
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.crm.models import Consent, Customer, Identifier, Interaction, Voucher
from backoffice.documents import money, timestamp

#: A JSON-compatible document as served over REST.
Document = dict[str, Any]


def normalise_identifier(type_: str, value: str) -> str:
    """The form in which identifiers are compared: e-mail case-insensitively, phone without spaces."""
    if type_ == "EMAIL":
        return value.lower()
    if type_ == "PHONE":
        return value.replace(" ", "")
    return value


class CrmService:
    """Reads of the reference CRM, batch-first, returning JSON documents."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

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
        return [
            {
                "id": interaction.id,
                "customer_id": interaction.customer_id,
                "at": timestamp(interaction.at),
                "channel": interaction.channel,
                "kind": interaction.kind,
                "note": interaction.note,
                "by": interaction.by,
            }
            for interaction in interactions
        ]

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
        return [
            {
                "id": voucher.id,
                "customer_id": voucher.customer_id,
                "code": voucher.code,
                "amount": money(voucher.amount, voucher.currency),
                "currency": voucher.currency,
                "reason": voucher.reason,
                "issued_at": timestamp(voucher.issued_at),
                "redeemed_at": timestamp(voucher.redeemed_at) if voucher.redeemed_at else None,
            }
            for voucher in vouchers
        ]


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
