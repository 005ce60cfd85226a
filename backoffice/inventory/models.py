"""Tables of the inventory system: locations, stock per variant × location, reservations, restocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backoffice.db import Base, UtcDateTime


class Location(Base):
    """A store, distribution centre or partner warehouse; `footfall` is door-counter visitors/day."""

    __tablename__ = "inv_location"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    line1: Mapped[str | None] = mapped_column(String(128))
    line2: Mapped[str | None] = mapped_column(String(128))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    click_and_collect: Mapped[bool] = mapped_column(Boolean, default=False)
    ship_from_store: Mapped[bool] = mapped_column(Boolean, default=False)
    channels: Mapped[list[str]] = mapped_column(JSON)
    footfall: Mapped[int | None] = mapped_column(Integer)


class Stock(Base):
    """Units of a variant available to sell at a location."""

    __tablename__ = "inv_stock"

    variant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("inv_location.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Reservation(Base):
    """Units taken from stock for a checkout until its order exists (COMMITTED) or it fails (RELEASED).

    A RELEASED row without lines is a tombstone: the release of an id that was never
    reserved, kept so that a late `reserve` of that id is refused (see
    `backoffice.inventory.reservations`).
    """

    __tablename__ = "inv_reservation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lines: Mapped[list[ReservationLine]] = relationship(
        lazy="selectin",
        order_by="(ReservationLine.variant_id, ReservationLine.location_id)",
        cascade="all, delete-orphan",
    )


class ReservationLine(Base):
    """Units of one variant taken at one location by a reservation."""

    __tablename__ = "inv_reservation_line"

    reservation_id: Mapped[str] = mapped_column(ForeignKey("inv_reservation.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)


class Restock(Base):
    """Units put (back) into stock once under a caller's reference, e.g. a received return.

    The row is what makes a restock apply once: the same reference again finds it and
    moves nothing (see `backoffice.inventory.restocks`).
    """

    __tablename__ = "inv_restock"

    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lines: Mapped[list[RestockLine]] = relationship(
        lazy="selectin",
        order_by="(RestockLine.variant_id, RestockLine.location_id)",
        cascade="all, delete-orphan",
    )


class RestockLine(Base):
    """Units of one variant a restock added at one location."""

    __tablename__ = "inv_restock_line"

    reference: Mapped[str] = mapped_column(ForeignKey("inv_restock.reference"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
