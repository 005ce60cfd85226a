"""Imports every system's models so that `Base.metadata` knows all tables."""

from backoffice.crm import models as crm
from backoffice.inventory import models as inventory
from backoffice.loyalty import models as loyalty
from backoffice.orders import models as orders
from backoffice.pim import models as pim
from backoffice.pricing import models as pricing

__all__ = ["crm", "inventory", "loyalty", "orders", "pim", "pricing"]
