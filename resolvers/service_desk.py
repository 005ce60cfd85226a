"""The service desk's writes on a customer: contacts recorded, identifiers linked.

* `record_interaction` (service agents, admins, and store associates — journey 2: the
  associate notes how the customer took the voucher): `kind` is free text of the form
  `[a-z][a-z0-9_]*`, at most 32 characters once trimmed and lower-cased, spaces and
  hyphens read as `_` (the seed's kinds: call, complaint, store_visit; journeys add
  reaction, feedback, note); `note` 1 to 2000 characters once trimmed. The channel is the
  request's, `by` the viewer's subject.
* `link_identifier` (service agents and admins; an associate may link a loyalty card at
  the till): the formats of `kernel.identifiers` (INVALID_IDENTIFIER), IDENTIFIER_TAKEN
  when another customer has it. The customer then is found by it.

Both answer CUSTOMER_NOT_FOUND for an unknown customer and audit on the customer.
"""

from __future__ import annotations

import re
import uuid
from typing import get_args

from connectors.crm.records import Customer, IdentifierType, NewInteraction
from connectors.errors import IdentifierTaken, NotFound
from kernel.identifiers import identifier_problem
from resolvers import audit
from resolvers.context import RequestContext
from resolvers.errors import Forbidden, Refused, Unauthenticated, refusals
from resolvers.ids import key_of
from resolvers.policy import FULL_ACCESS_ROLES, mask_identifier

#: The longest interaction kind and note.
MAX_KIND_LENGTH = 32
MAX_NOTE_LENGTH = 2000

_KIND = re.compile(r"^[a-z][a-z0-9_]*$")

#: The roles that record contacts with customers.
RECORDING_ROLES = frozenset({"associate", "service", "admin"})

#: The `source` a link made through the gateway names, by the request's channel.
_SOURCES = {"STORE": "pos", "CALL_CENTER": "callcenter", "WEB": "webshop", "APP": "app"}


def _ensure_role(ctx: RequestContext, roles: frozenset[str], what: str) -> None:
    if ctx.viewer.role == "anonymous":
        raise Unauthenticated(f"Sign in as staff to {what}.")
    if ctx.viewer.role not in roles:
        raise Forbidden(f"This viewer may not {what}.")


def _kind(kind: str) -> str:
    normalised = re.sub(r"[\s-]+", "_", kind.strip().lower())
    if not _KIND.match(normalised) or len(normalised) > MAX_KIND_LENGTH:
        raise Refused(
            "INVALID_KIND",
            f"A kind is a word of letters, digits and _ (at most {MAX_KIND_LENGTH}), "
            "e.g. call, complaint, store_visit, reaction.",
            ("kind",),
        )
    return normalised


def _note(note: str) -> str:
    trimmed = note.strip()
    if not trimmed:
        raise Refused("NOTE_REQUIRED", "Say what happened.", ("note",))
    if len(trimmed) > MAX_NOTE_LENGTH:
        raise Refused(
            "NOTE_TOO_LONG", f"A note has at most {MAX_NOTE_LENGTH} characters.", ("note",)
        )
    return trimmed


async def record_interaction(
    ctx: RequestContext, customer_id: str, kind: str, note: str
) -> Customer:
    """Record a contact with the customer; the customer, whose `interactions` now show it."""
    _ensure_role(ctx, RECORDING_ROLES, "record contacts with customers")
    customer_key = key_of(customer_id, "Customer", "customerId")
    new = NewInteraction(
        id="i-" + uuid.uuid4().hex[:24],
        customer_id=customer_key,
        channel=ctx.channel,
        kind=_kind(kind),
        note=_note(note),
        by=ctx.viewer.subject or ctx.viewer.role,
    )
    with refusals(("customerId",)):
        try:
            recorded = await ctx.sources.crm.record_interaction(new)
        except NotFound as exc:
            raise Refused("CUSTOMER_NOT_FOUND", "No such customer.", ("customerId",)) from exc
        found = await ctx.sources.crm.get_customers([customer_key])
    await audit.record_quietly(
        ctx,
        audit.event(
            ctx,
            "interaction_recorded",
            "Customer",
            customer_key,
            f"{recorded.kind} in {recorded.channel}",
            {"interaction": recorded.id},
        ),
    )
    if customer_key not in found:
        raise LookupError(f"customer {customer_key} has an interaction but is not in the CRM")
    return found[customer_key]


async def link_identifier(
    ctx: RequestContext, customer_id: str, identifier_type: str, value: str
) -> Customer:
    """Link the identifier to the customer; the customer with it among their identifiers."""
    if not (ctx.viewer.role == "associate" and identifier_type == "LOYALTY_CARD"):
        _ensure_role(ctx, FULL_ACCESS_ROLES, f"link {identifier_type} identifiers")
    customer_key = key_of(customer_id, "Customer", "customerId")
    kind = _identifier_type(identifier_type)
    trimmed = value.strip()
    if (problem := identifier_problem(kind, trimmed)) is not None:
        raise Refused("INVALID_IDENTIFIER", problem[:1].upper() + problem[1:] + ".", _VALUE)
    with refusals(("customerId",)):
        try:
            linked = await ctx.sources.crm.link_identifier(
                customer_key, kind, trimmed, source=_SOURCES.get(ctx.channel, ctx.channel.lower())
            )
        except NotFound as exc:
            raise Refused("CUSTOMER_NOT_FOUND", "No such customer.", ("customerId",)) from exc
        except IdentifierTaken as exc:
            raise Refused(
                "IDENTIFIER_TAKEN", "This identifier belongs to another customer.", _VALUE
            ) from exc
    await audit.record_quietly(
        ctx,
        audit.event(
            ctx,
            "identifier_linked",
            "Customer",
            customer_key,
            f"{kind} {mask_identifier(kind, trimmed)} linked",
        ),
    )
    return linked


_VALUE = ("identifier", "value")


_IDENTIFIER_TYPES: dict[str, IdentifierType] = {name: name for name in get_args(IdentifierType)}


def _identifier_type(name: str) -> IdentifierType:
    if name not in _IDENTIFIER_TYPES:
        raise Refused(
            "INVALID_IDENTIFIER", f"Unknown identifier type {name}.", ("identifier", "type")
        )
    return _IDENTIFIER_TYPES[name]
