"""Tables of the PIM: categories, products, variants. Localised text is JSON {locale: text}."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backoffice.db import Base
from backoffice.pim import search_index

product_category = Table(
    "pim_product_category",
    Base.metadata,
    Column("product_id", ForeignKey("pim_product.id"), primary_key=True),
    Column("category_id", ForeignKey("pim_category.id"), primary_key=True),
)


class Category(Base):
    """A node of the category tree."""

    __tablename__ = "pim_category"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("pim_category.id"))


class Product(Base):
    """A product (style); `complete` is false while mandatory attributes are missing."""

    __tablename__ = "pim_product"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    brand: Mapped[str | None] = mapped_column(String(64), index=True)
    #: [{"url": ..., "alt": {locale: text}}]
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Lower-case SKU, brand and names in every locale: where search finds a word inside
    #: a longer one (`backoffice.pim.search`).
    search_text: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[Category]] = relationship(secondary=product_category, lazy="raise")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position", lazy="raise"
    )


class Variant(Base):
    """A sellable colour/size variant with its SKU and GTIN-13."""

    __tablename__ = "pim_variant"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("pim_product.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    #: [{"code": "colour", "name": {locale: text}, "value": {locale: text}}]
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    product: Mapped[Product] = relationship(back_populates="variants", lazy="raise")


# The search indexes are no mapped columns (a generated tsvector, FTS5 tables: see
# search_index): made after every create_all, whether or not the tables were new, and dropped
# with the products.
event.listen(Base.metadata, "after_create", search_index.on_create)
event.listen(Product.__table__, "after_drop", search_index.on_drop)
