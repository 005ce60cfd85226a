"""Price types: unit prices in context, applied promotions and basket quotes."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from connectors.pricing import records
from resolvers import price as price_resolvers
from resolvers.context import RequestContext
from schema.common import Money
from schema.complexity import COST, SOURCE_QUERY
from schema.execution import DERIVED

if TYPE_CHECKING:
    from schema.product import ProductVariant


@strawberry.type(
    description="A promotion applied to a price or a basket. No `id` of its own: its discount "
    "depends on the quantity or basket it was computed for, so a normalised client cache must "
    "not merge two of them."
)
class AppliedPromotion:
    promotion_id: strawberry.ID = strawberry.field(
        description="The promotion's id in the price engine."
    )
    name: str = strawberry.field(description="Name in the request's locale.")
    description: str | None = strawberry.field(description="Conditions, in the request's locale.")
    discount: Money = strawberry.field(
        description="Discount it gives: per unit on a price, in total on a basket."
    )

    @classmethod
    def from_record(
        cls, record: records.AppliedPromotion, currency: str, ctx: RequestContext
    ) -> AppliedPromotion:
        return cls(
            promotion_id=strawberry.ID(record.id),
            name=ctx.text(record.name) or record.id,
            description=ctx.text(record.description),
            discount=Money.of(record.discount, currency),
        )


@strawberry.type(description="The unit price of a variant in the request's channel and context.")
class Price:
    amount: Money = strawberry.field(description="What the customer pays per unit in this context.")
    record: strawberry.Private[records.Price]
    quantity: strawberry.Private[int]
    ctx: strawberry.Private[RequestContext]

    @classmethod
    def from_record(cls, record: records.Price, ctx: RequestContext, quantity: int = 1) -> Price:
        return cls(
            amount=Money.of(record.amount, record.currency),
            record=record,
            quantity=quantity,
            ctx=ctx,
        )

    # The rest is worked out when asked (`DERIVED`): a listing mostly shows the amount.
    @strawberry.field(description="Before promotions.", metadata={DERIVED: True})
    def list_amount(self) -> Money:
        return Money.of(self.record.list_amount, self.record.currency)

    @strawberry.field(description="Promotions that shape `amount`.", metadata={DERIVED: True})
    def promotions(self) -> list[AppliedPromotion]:
        currency = self.record.currency
        return [AppliedPromotion.from_record(p, currency, self.ctx) for p in self.record.promotions]

    @strawberry.field(
        description="When this price may change next (a promotion ends or starts); null if open-ended.",
        metadata={DERIVED: True},
    )
    def valid_until(self) -> datetime | None:
        return self.record.valid_until

    @strawberry.field(
        description="What the asked quantity costs together, to the cent what a basket of "
        "that one line costs (e.g. 3 cans in a 3-for-2: 79.90, while `amount` says 26.63 a "
        "unit). Order-level promotions, which need the whole basket, are not in it.",
        metadata={DERIVED: True},
    )
    def total(self) -> Money:
        record = self.record
        total = record.total if record.total is not None else record.amount * self.quantity
        return Money.of(total, record.currency)


@strawberry.input(description="A line of a basket to be priced.")
class BasketLineInput:
    variant_id: strawberry.ID = strawberry.field(description="Global id of a ProductVariant.")
    quantity: int = strawberry.field(description="Units, 1 to 999.")


@strawberry.type(description="A promotion's discount on one line, for the whole line.")
class LineDiscount:
    promotion_id: strawberry.ID = strawberry.field(description="The promotion's id.")
    name: str = strawberry.field(description="The promotion's name in the request's locale.")
    amount: Money = strawberry.field(description="Discount on the line (all units).")


@strawberry.type(description="A priced basket line.")
class QuotedLine:
    variant_id: strawberry.Private[str]
    quantity: int = strawberry.field(description="Units.")
    unit_list_amount: Money = strawberry.field(description="List price of one unit.")
    discounts: list[LineDiscount] = strawberry.field(description="Discounts on this line.")
    total: Money = strawberry.field(description="Unit list amount × quantity less discounts.")

    @strawberry.field(description="The variant priced.")
    async def variant(
        self, info: strawberry.Info[RequestContext, None]
    ) -> Annotated[ProductVariant, strawberry.lazy("schema.product")]:
        from schema.product import ProductVariant

        variant = await info.context.loaders.variant_by_id.load(self.variant_id)
        if variant is None:
            raise LookupError(f"variant {self.variant_id} priced but unknown to the PIM")
        return ProductVariant.from_record(variant, info.context)


@strawberry.enum(description="What became of a coupon code given to a quote.")
class CouponStatus(Enum):
    APPLIED = strawberry.enum_value("APPLIED", description="Its promotion applies.")
    UNKNOWN = strawberry.enum_value("UNKNOWN", description="No promotion has this code.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Its promotion is not running.")
    NOT_APPLICABLE = strawberry.enum_value(
        "NOT_APPLICABLE", description="Its promotion targets nothing in this basket or channel."
    )


@strawberry.type(description="A coupon code given to a quote, and whether it applied.")
class CouponResult:
    code: str = strawberry.field(description="The code as given.")
    status: CouponStatus = strawberry.field(description="Whether it applied, or why not.")


@strawberry.type(description="The total of a basket for a customer in a channel; no cart needed.")
class BasketQuote:
    lines: list[QuotedLine] = strawberry.field(description="The priced lines, in input order.")
    subtotal: Money = strawberry.field(description="Sum of list amounts.")
    discount_total: Money = strawberry.field(description="Sum of all discounts.")
    total: Money = strawberry.field(description="What the customer pays: subtotal less discounts.")
    promotions: list[AppliedPromotion] = strawberry.field(
        description="Each promotion applied, with its total discount."
    )
    coupons: list[CouponResult] = strawberry.field(
        description="Each coupon code given, and whether it applied (checkout refuses one "
        "that did not)."
    )

    @classmethod
    def from_record(cls, quote: records.Quote, ctx: RequestContext) -> BasketQuote:
        currency = quote.currency
        return cls(
            lines=[
                QuotedLine(
                    variant_id=line.variant_id,
                    quantity=line.quantity,
                    unit_list_amount=Money.of(line.unit_list_amount, currency),
                    discounts=[
                        LineDiscount(
                            promotion_id=strawberry.ID(d.promotion_id),
                            name=ctx.text(d.name) or d.promotion_id,
                            amount=Money.of(d.amount, currency),
                        )
                        for d in line.discounts
                    ],
                    total=Money.of(line.total, currency),
                )
                for line in quote.lines
            ],
            subtotal=Money.of(quote.subtotal, currency),
            discount_total=Money.of(quote.discount_total, currency),
            total=Money.of(quote.total, currency),
            promotions=[AppliedPromotion.from_record(p, currency, ctx) for p in quote.promotions],
            coupons=[
                CouponResult(code=c.code, status=CouponStatus(c.status)) for c in quote.coupons
            ],
        )


@strawberry.type
class PriceQuery:
    """Root fields of the price domain."""

    @strawberry.field(
        description="What is the total of this basket, for this customer, in this channel? No cart needed.",
        metadata={COST: SOURCE_QUERY},
    )
    async def basket_quote(
        self,
        info: strawberry.Info[RequestContext, None],
        lines: Annotated[
            list[BasketLineInput],
            strawberry.argument(description="The basket: variants and quantities."),
        ],
        customer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Price for this customer (staff); default: the signed-in customer."
            ),
        ] = None,
        coupon_codes: Annotated[
            list[str] | None,
            strawberry.argument(description="Coupon codes to apply, as checkout would."),
        ] = None,
    ) -> BasketQuote:
        quote = await price_resolvers.quote_basket(
            info.context,
            [(line.variant_id, line.quantity) for line in lines],
            customer_id,
            coupon_codes or (),
        )
        return BasketQuote.from_record(quote, info.context)
