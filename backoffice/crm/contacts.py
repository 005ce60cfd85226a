"""The CRM's other writes: interactions recorded, identifiers linked, messages sent. Each is safe to repeat.

* `record_interaction` stores a contact under the caller's id, dated by the CRM's clock;
  the same id again answers the first (another contact under it is a conflict).
* `link_identifier` links an e-mail, loyalty card, phone or other id to a customer, in the
  form identifiers compare in (e-mail in lower case, phone without spaces), after the
  format checks of `kernel.identifiers`. Linking what the customer has already answers
  the customer unchanged; what another customer has (linked, or as their own e-mail or
  phone) is IDENTIFIER_TAKEN. The unique (type, value) key settles two links at once.
* `send_notification` is the reference CRM's stand-in for e-mail: it stores the message,
  once per `key`; the same key again sends nothing and answers the first message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.crm import inputs
from backoffice.crm.documents import (
    Document,
    interaction_document,
    notification_document,
)
from backoffice.crm.models import Customer, Identifier, Interaction, Notification
from backoffice.errors import Conflict, IdentifierTaken, InvalidRequest, NotFound
from kernel.clock import Clock
from kernel.identifiers import identifier_problem, normalise_identifier

#: Attempts of a write that loses a race on its unique key before it reads the winner.
_ATTEMPTS = 3


class Contacts:
    """Interactions, identifier links and notifications; `CrmService` exposes them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

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
        wanted: dict[str, Any] = {
            "id": inputs.identifier(interaction_id, "id"),
            "customer_id": inputs.identifier(customer_id, "customer_id"),
            "channel": inputs.channel(channel),
            "kind": inputs.text(kind, "kind", max_length=inputs.MAX_KIND_LENGTH),
            "note": inputs.text(note, "note", max_length=inputs.MAX_NOTE_LENGTH),
            "by": inputs.optional_text(by, "by", max_length=inputs.MAX_BY_LENGTH),
        }
        for _ in range(_ATTEMPTS):
            async with self._sessions() as session:
                existing = await session.get(Interaction, wanted["id"])
            if existing is not None:
                if {name: getattr(existing, name) for name in wanted} != wanted:
                    raise Conflict(
                        f"the interaction id {existing.id!r} was recorded with other details"
                    )
                return interaction_document(existing)
            try:
                async with self._sessions.begin() as session:
                    await _require_customer(session, wanted["customer_id"])
                    interaction = Interaction(**wanted, at=self._clock.now())
                    session.add(interaction)
                return interaction_document(interaction)
            except IntegrityError:
                continue  # a twin recorded it meanwhile: answered above
        raise Conflict(f"the interaction {wanted['id']!r} could not be recorded; try again")

    async def link_identifier(
        self, customer_id: Any, *, type_: Any, value: Any, source: Any = None
    ) -> str:
        """Link the identifier (see the module docstring); the customer's id."""
        customer = inputs.identifier(customer_id, "customer_id")
        if not isinstance(type_, str) or not isinstance(value, str):
            raise InvalidRequest("'type' and 'value' must be strings")
        if (problem := identifier_problem(type_, value)) is not None:
            raise InvalidRequest(problem)
        link_source = inputs.optional_text(source, "source", max_length=32)
        normalised = normalise_identifier(type_, value)
        for _ in range(_ATTEMPTS):
            async with self._sessions() as session:
                await _require_customer(session, customer)
                owner = await _owner(session, type_, normalised)
            if owner == customer:
                return customer
            if owner is not None:
                raise IdentifierTaken(f"the {type_} identifier is linked to another customer")
            try:
                async with self._sessions.begin() as session:
                    session.add(
                        Identifier(
                            customer_id=customer, type=type_, value=normalised, source=link_source
                        )
                    )
            except IntegrityError:
                continue  # linked meanwhile, to this customer or another: asked again above
            return customer
        raise Conflict("the identifier could not be linked; try again")

    async def send_notification(
        self, customer_id: Any, *, key: Any, template: Any, data: Any
    ) -> Document:
        wanted_key = inputs.text(key, "key", max_length=inputs.MAX_KEY_LENGTH)
        if "/" in wanted_key:
            raise InvalidRequest("'key' must not contain '/': it is one segment of a URL")
        customer = inputs.identifier(customer_id, "customer_id")
        wanted_template = inputs.text(template, "template", max_length=inputs.MAX_TEMPLATE_LENGTH)
        values = inputs.data(data)
        for _ in range(_ATTEMPTS):
            async with self._sessions() as session:
                existing = await session.get(Notification, wanted_key)
            if existing is not None:
                if existing.customer_id != customer:
                    raise Conflict(f"the key {wanted_key!r} was used for another customer")
                return notification_document(existing)
            try:
                async with self._sessions.begin() as session:
                    await _require_customer(session, customer)
                    notification = Notification(
                        key=wanted_key,
                        customer_id=customer,
                        template=wanted_template,
                        data=values,
                        sent_at=self._clock.now(),
                    )
                    session.add(notification)
                return notification_document(notification)
            except IntegrityError:
                continue  # a twin sent it meanwhile: answered above
        raise Conflict(f"the notification {wanted_key!r} could not be sent; try again")

    async def get_notifications(self, customer_ids: Sequence[str]) -> list[Document]:
        """The messages sent to these customers, oldest first."""
        if not customer_ids:
            return []
        async with self._sessions() as session:
            found = (
                await session.scalars(
                    select(Notification)
                    .where(Notification.customer_id.in_(customer_ids))
                    .order_by(Notification.sent_at, Notification.key)
                )
            ).all()
        return [notification_document(notification) for notification in found]


async def _require_customer(session: AsyncSession, customer_id: str) -> None:
    if await session.get(Customer, customer_id) is None:
        raise NotFound(f"no customer {customer_id!r}")


async def _owner(session: AsyncSession, type_: str, normalised: str) -> str | None:
    """The customer the identifier belongs to: linked first, then a customer's own e-mail or phone."""
    stored = Identifier.value
    compared = (
        func.lower(stored)
        if type_ == "EMAIL"
        else func.replace(stored, " ", "")
        if type_ == "PHONE"
        else stored
    )
    linked = await session.scalar(
        select(Identifier.customer_id)
        .where(Identifier.type == type_, compared == normalised)
        .order_by(Identifier.customer_id)
        .limit(1)
    )
    if linked is not None or type_ not in ("EMAIL", "PHONE"):
        return linked
    own = (
        func.lower(Customer.email) == normalised
        if type_ == "EMAIL"
        else func.replace(Customer.phone, " ", "") == normalised
    )
    return await session.scalar(select(Customer.id).where(or_(own)).order_by(Customer.id).limit(1))
