"""The CRM part of the seed: customers, their identifiers and consents, interactions, vouchers."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from backoffice.seed import words
from backoffice.seed.calendar import Calendar
from backoffice.seed.stores import STORE_IDS
from kernel.gtin import make_gtin13
from kernel.money import round_money

Row = dict[str, Any]

_TIER_WEIGHT = {"GOLD": 3, "SILVER": 2, "STANDARD": 1}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Reasons that follow a complaint: the seed logs the complaint next to the voucher.
_AFTER_COMPLAINT = ("Compensatie", "Excuses", "Goodwill")
#: How long a seeded voucher may be spent: a year, so that a voucher issued more than a
#: year ago and never spent is expired (the gateway issues new ones for `vouchers.validity_days`).
VOUCHER_VALIDITY = timedelta(days=365)
#: Who issues the vouchers that follow no complaint (birthday and welcome gifts).
CAMPAIGN_ISSUER = "crm:campaign"


@dataclass(frozen=True, slots=True)
class CustomerDraft:
    """A customer before it gets an id: the story's fixed people and random ones alike."""

    first_name: str
    last_name: str
    tier: str
    created_at: datetime
    email: str | None
    phone: str | None
    card: bool
    #: (type, value, source) identifiers beyond e-mail, card and phone.
    extra: tuple[tuple[str, str, str], ...] = ()
    consents: tuple[tuple[str, bool], ...] = (("email_marketing", True),)
    card_source: str = "pos"


@dataclass(frozen=True, slots=True)
class SeedCustomer:
    """What orders and loyalty need to know about a customer."""

    id: str
    tier: str
    created_at: datetime
    card: str | None
    #: How often the customer orders, relative to others.
    weight: int


@dataclass(slots=True)
class SeedVoucher:
    """A voucher and whether the seed should let a later order redeem it."""

    id: str
    customer_id: str
    code: str
    amount: Decimal
    issued_at: datetime
    redeem: bool
    row: Row

    @property
    def expires_at(self) -> datetime:
        return self.issued_at + VOUCHER_VALIDITY

    def spend(self, order_id: str, at: datetime) -> None:
        """Mark it redeemed by the order placed at `at`."""
        self.row["redeemed_at"] = at
        self.row["redeemed_order_id"] = order_id


@dataclass(slots=True)
class Crm:
    """The seeded CRM: rows per table, plus the customers and vouchers other systems refer to."""

    customers: list[SeedCustomer] = field(default_factory=list)
    vouchers: list[SeedVoucher] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    tables: dict[str, list[Row]] = field(
        default_factory=lambda: {
            "crm_customer": [],
            "crm_identifier": [],
            "crm_consent": [],
            "crm_voucher": [],
        }
    )

    def interaction(
        self, customer_id: str, at: datetime, channel: str, kind: str, note: str, by: str | None
    ) -> None:
        self.interactions.append(
            {
                "customer_id": customer_id,
                "at": at,
                "channel": channel,
                "kind": kind,
                "note": note,
                "by": by,
            }
        )

    def voucher(
        self,
        customer_id: str,
        code: str,
        amount: Decimal,
        reason: str,
        issued_at: datetime,
        *,
        redeem: bool,
        issued_by: str = CAMPAIGN_ISSUER,
    ) -> SeedVoucher:
        voucher_id = f"vo{len(self.vouchers) + 1:05d}"
        row: Row = {
            "id": voucher_id,
            "customer_id": customer_id,
            "code": code,
            "amount": round_money(amount),
            "currency": "EUR",
            "reason": reason,
            "issued_at": issued_at,
            "redeemed_at": None,
            "expires_at": issued_at + VOUCHER_VALIDITY,
            "redeemed_order_id": None,
            "issued_by": issued_by,
        }
        voucher = SeedVoucher(voucher_id, customer_id, code, row["amount"], issued_at, redeem, row)
        self.vouchers.append(voucher)
        self.tables["crm_voucher"].append(row)
        return voucher

    def all_tables(self) -> dict[str, list[Row]]:
        """Every CRM table; interactions get their ids (in00001, ...) in chronological order."""
        ordered = sorted(self.interactions, key=lambda r: (r["at"], r["customer_id"]))
        interactions = [{"id": f"in{n:05d}", **row} for n, row in enumerate(ordered, start=1)]
        return {**self.tables, "crm_interaction": interactions}


def card_number(sequence: int) -> str:
    """A 13-digit loyalty card number in the GS1 in-store range (prefix 2), with check digit."""
    return make_gtin13(f"2600{sequence:08d}")


def add_customers(crm: Crm, drafts: Sequence[CustomerDraft], weight: int = 1) -> None:
    """Number the drafts after the customers already there and add their rows."""
    for draft in drafts:
        n = len(crm.customers) + 1
        customer_id = f"cu{n:05d}"
        card = card_number(n) if draft.card else None
        crm.tables["crm_customer"].append(
            {
                "id": customer_id,
                "customer_number": f"C{100000 + n}",
                "first_name": draft.first_name,
                "last_name": draft.last_name,
                "email": draft.email,
                "phone": draft.phone,
                "tier": draft.tier,
                "created_at": draft.created_at,
            }
        )
        identifiers = []
        if draft.email:
            identifiers.append(("EMAIL", draft.email, "webshop"))
        if card:
            identifiers.append(("LOYALTY_CARD", card, draft.card_source))
        if draft.phone:
            identifiers.append(("PHONE", draft.phone, "pos" if n % 2 else "callcenter"))
        identifiers += draft.extra
        crm.tables["crm_identifier"] += [
            {"customer_id": customer_id, "type": t, "value": v, "source": s}
            for t, v, s in identifiers
        ]
        crm.tables["crm_consent"] += [
            {
                "customer_id": customer_id,
                "purpose": purpose,
                "granted": granted,
                "at": draft.created_at + timedelta(minutes=2),
            }
            for purpose, granted in draft.consents
        ]
        crm.customers.append(
            SeedCustomer(
                id=customer_id,
                tier=draft.tier,
                created_at=draft.created_at,
                card=card,
                weight=weight * _TIER_WEIGHT[draft.tier],
            )
        )


def random_customers(
    rng: random.Random, calendar: Calendar, count: int, taken: set[str]
) -> list[tuple[CustomerDraft, int]]:
    """`count` Dutch customers with how often each orders; `taken` holds e-mails and phones in use."""
    drafts = []
    oldest = calendar.days_ago(6 * 365)
    span = (calendar.days_ago(10) - oldest).total_seconds()
    for n in range(count):
        first = rng.choice(rng.choice((words.FIRST_NAMES_F, words.FIRST_NAMES_M)))
        last = rng.choice(words.LAST_NAMES)
        created_at = oldest + timedelta(seconds=rng.randint(0, int(span)))
        roll = rng.random()
        tier = "GOLD" if roll < 0.1 else "SILVER" if roll < 0.3 else "STANDARD"
        email = _unique(taken, partial(_email, rng, first, last)) if rng.random() < 0.95 else None
        phone = (
            _unique(taken, lambda: f"+316{rng.randint(10_000_000, 99_999_999)}")
            if rng.random() < 0.7
            else None
        )
        extra = []
        if rng.random() < 0.1:
            network = rng.choice(("facebook", "google"))
            extra.append(("SOCIAL", f"{network}:{rng.randint(10**14, 10**15 - 1)}", network))
        if rng.random() < 0.2:
            extra.append(("EXTERNAL", f"WS-{700000 + n}", "webshop"))
        consents = [("personalisation", rng.random() < 0.5)]
        if email:
            consents.insert(0, ("email_marketing", rng.random() < 0.6))
        if phone:
            consents.append(("sms_marketing", rng.random() < 0.25))
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            tier=tier,
            created_at=created_at,
            email=email,
            phone=phone,
            card=rng.random() < 0.85,
            extra=tuple(extra),
            consents=tuple(consents),
            card_source=rng.choice(("pos", "pos", "app")),
        )
        drafts.append((draft, rng.choice((1, 1, 1, 2, 3, 5))))
    return drafts


def random_service(
    rng: random.Random, calendar: Calendar, crm: Crm, customers: Sequence[SeedCustomer]
) -> None:
    """Interactions for ~15% of the customers, vouchers for ~10% (half to be redeemed)."""
    taken = {v.code for v in crm.vouchers}
    history_start = calendar.days_ago(540)
    for customer in customers:
        start = max(customer.created_at, history_start)
        span = int((calendar.now - start).total_seconds()) - 3600
        if span <= 0:
            continue
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 3)):
                kind = rng.choices(("call", "complaint", "store_visit"), weights=(5, 2, 3))[0]
                at = start + timedelta(seconds=rng.randint(0, span))
                if kind == "store_visit":
                    channel = "STORE"
                    by = f"{rng.choice(STORE_IDS)}:{rng.choice(words.STORE_STAFF)}"
                else:
                    # Calls reach customer service; complaints also come in by web or app form.
                    channel = "CALL_CENTER"
                    if kind == "complaint":
                        channel = rng.choices(("CALL_CENTER", "WEB", "APP"), weights=(5, 3, 1))[0]
                    by = rng.choice(words.AGENTS)
                note = rng.choice(words.INTERACTION_NOTES[kind])
                crm.interaction(customer.id, at, channel, kind, note, by)
        if rng.random() < 0.1:
            reason, amount = rng.choice(words.VOUCHER_REASONS)
            issued_at = start + timedelta(seconds=rng.randint(0, span))
            code = _unique(taken, lambda: _voucher_code(rng))
            voucher = crm.voucher(
                customer.id,
                code,
                Decimal(str(amount)),
                reason,
                issued_at,
                redeem=rng.random() < 0.5,
            )
            if reason.startswith(_AFTER_COMPLAINT):
                # Drawn in the order the interaction's arguments always were, so that the
                # agent who took the complaint is the one who issued the voucher.
                complained_at = issued_at - timedelta(minutes=rng.randint(5, 30))
                channel = rng.choice(("CALL_CENTER", "WEB"))
                note = f"{reason}; tegoedbon {code} uitgegeven."
                agent = rng.choice(words.AGENTS)
                crm.interaction(customer.id, complained_at, channel, "complaint", note, agent)
                voucher.row["issued_by"] = agent


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _email(rng: random.Random, first: str, last: str) -> str:
    local = rng.choice(
        (
            f"{_ascii(first)}.{_ascii(last)}",
            f"{_ascii(first)[0]}.{_ascii(last)}",
            f"{_ascii(first)}{_ascii(last)}",
        )
    )
    if rng.random() < 0.4:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(words.EMAIL_DOMAINS)}"


def _voucher_code(rng: random.Random) -> str:
    def part() -> str:
        return "".join(rng.choice(_CODE_ALPHABET) for _ in range(4))

    return f"TB-{part()}-{part()}"


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    while True:
        value = make()
        if value not in taken:
            taken.add(value)
            return value
