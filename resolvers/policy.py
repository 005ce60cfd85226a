"""Who may see which customer data (DESIGN §6), and how contact data is masked for store staff.

| role      | customer records                | contact data | orders, loyalty, vouchers, interactions |
| --------- | ------------------------------- | ------------ | --------------------------------------- |
| anonymous | none                            | -            | -                                       |
| kiosk     | none (kiosks and signage)       | -            | -                                       |
| customer  | their own                       | in full      | their own                               |
| associate | found by id or loyalty card     | masked       | yes (service at the till)               |
| service   | all (the 360° view)             | in full      | yes                                     |
| admin     | all                             | in full      | yes                                     |
"""

from __future__ import annotations

from resolvers.errors import Forbidden, Unauthenticated
from resolvers.viewer import Viewer

STAFF_ROLES = frozenset({"associate", "service", "admin"})
FULL_ACCESS_ROLES = frozenset({"service", "admin"})


def ensure_may_read_customer(viewer: Viewer, customer_id: str) -> None:
    """Raise unless the viewer may see this customer's record and private data."""
    if viewer.role == "anonymous":
        raise Unauthenticated("Sign in to see customer data.")
    if viewer.role in STAFF_ROLES:
        return
    if viewer.role == "customer" and viewer.customer_id == customer_id:
        return
    raise Forbidden("This viewer may not see this customer's data.")


def ensure_is_staff(viewer: Viewer, what: str) -> None:
    """Raise unless the viewer works for the retailer (store associate, agent, admin)."""
    if viewer.role == "anonymous":
        raise Unauthenticated(f"Sign in to see {what}.")
    if viewer.role not in STAFF_ROLES:
        raise Forbidden(f"Only store staff and service agents may see {what}.")


def ensure_is_admin(viewer: Viewer, what: str) -> None:
    """Raise unless the viewer administers the gateway (e.g. its outbox)."""
    if viewer.role == "anonymous":
        raise Unauthenticated(f"Sign in to see {what}.")
    if viewer.role != "admin":
        raise Forbidden(f"Only administrators may see {what}.")


def ensure_may_look_up_by(viewer: Viewer, identifier_type: str) -> None:
    """Store staff find customers by loyalty card only; agents and admins by anything."""
    if viewer.role in FULL_ACCESS_ROLES:
        return
    if viewer.role == "associate" and identifier_type == "LOYALTY_CARD":
        return
    if viewer.role == "anonymous":
        raise Unauthenticated("Sign in to look customers up.")
    raise Forbidden(f"This viewer may not look customers up by {identifier_type}.")


def masks_contact_data(viewer: Viewer) -> bool:
    return viewer.role == "associate"


def mask_email(email: str) -> str:
    """j***@example.nl: enough to confirm with the customer at the till, not to copy."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_tail(value: str) -> str:
    """****5678: the last four characters only (phone numbers, external ids)."""
    return "****" + value[-4:] if len(value) > 4 else "****"


def mask_identifier(identifier_type: str, value: str) -> str:
    """Loyalty cards stay readable (that is how staff find the customer); the rest is masked."""
    if identifier_type == "LOYALTY_CARD":
        return value
    if identifier_type == "EMAIL":
        return mask_email(value)
    return mask_tail(value)
