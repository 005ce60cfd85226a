"""The typed `Info` every resolver receives."""

from __future__ import annotations

import strawberry

from resolvers.context import RequestContext

Info = strawberry.Info[RequestContext, None]
