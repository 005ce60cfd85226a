"""Per-request set-up: request id, viewer, channel/locale/store, and the RequestContext."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar

from connectors.trace import Recorder
from gateway.auth import Authenticator, RequestDefaults, resolve_request_defaults
from gateway.config import Settings
from kernel.clock import Clock
from ledger import Ledger
from resolvers.context import RequestContext, Rules, Sources
from resolvers.outbox import Dispatcher
from resolvers.viewer import Viewer

#: The current request's id, for log lines written anywhere below the HTTP edge.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from(header: str | None) -> str:
    """Keep a well-formed id from the client or a proxy (to correlate logs); else make one."""
    if header and _CLIENT_REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


def identify(
    headers: Mapping[str, str], authenticator: Authenticator, settings: Settings
) -> tuple[Viewer, RequestDefaults]:
    """The viewer and request defaults from the request's `headers` (lower-case names).

    Raises AuthenticationError or RequestError.
    """
    viewer = authenticator.authenticate(headers.get("authorization"))
    defaults = resolve_request_defaults(viewer, headers, settings.context)
    return viewer, defaults


def build_context(
    *,
    request_id: str,
    viewer: Viewer,
    defaults: RequestDefaults,
    sources: Sources,
    rules: Rules,
    recorder: Recorder,
    clock: Clock,
    ledger: Ledger,
    outbox: Dispatcher,
) -> RequestContext:
    """The context of one request: `sources` bound to the request's `recorder`."""
    return RequestContext(
        request_id=request_id,
        viewer=viewer,
        channel=defaults.channel,
        locale=defaults.locale,
        store_id=defaults.store_id,
        sources=sources.bound(recorder),
        rules=rules,
        started_at=clock.now(),
        trace=recorder,
        ledger=ledger,
        clock=clock,
        outbox=outbox,
    )
