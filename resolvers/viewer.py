"""Who is asking: the viewer built from the bearer token, and the roles it can have."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["anonymous", "kiosk", "customer", "associate", "service", "admin"]
ROLES: tuple[Role, ...] = ("anonymous", "kiosk", "customer", "associate", "service", "admin")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller.

    `customer_id` is set for customers (the token's subject); `store_id` and `channel` are
    bound by kiosk and associate tokens; `locale` is the token's preferred language.
    """

    role: Role
    subject: str | None = None
    customer_id: str | None = None
    store_id: str | None = None
    channel: str | None = None
    locale: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.role != "anonymous"


ANONYMOUS = Viewer(role="anonymous")
