"""The custom scalars as the schema publishes them: Strawberry's own, with `@specifiedBy`.

Codegen tools (graphql-codegen, Apollo's) type a scalar from its `@specifiedBy` URL, or
else as `unknown`. The URLs are only printed in the schema, never fetched.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from collections.abc import Mapping

from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
)
from strawberry.types.scalar import ScalarDefinition

#: RFC 3339 section 5.6: `full-date` and `date-time`; Strawberry writes them with isoformat().
RFC3339 = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
#: Python's Decimal is this specification's number; `str()` gives its to-scientific-string.
DECIMAL_ARITHMETIC = "https://speleotrove.com/decimal/daconvs.html"

#: For `StrawberryConfig(scalar_map=...)`.
SCALARS: Mapping[object, ScalarDefinition] = {
    datetime.date: dataclasses.replace(DateDefinition, specified_by_url=RFC3339),
    datetime.datetime: dataclasses.replace(DateTimeDefinition, specified_by_url=RFC3339),
    decimal.Decimal: dataclasses.replace(DecimalDefinition, specified_by_url=DECIMAL_ARITHMETIC),
}
