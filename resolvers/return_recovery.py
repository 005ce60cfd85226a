"""Settling the idempotency keys of return mutations that a crash left claimed.

A process that dies between a return's write and completing its key leaves the key
claimed ("in progress") for good, and every retry would be told to wait. Each instance's
recovery (gateway/recovery.py) settles such keys once they have been still for the grace
period, by asking what the write did:

* `returnRegister`: the return's id derives from the key, so the OMS says whether it was
  registered. If so the key answers it; if not, the key is free and a retry registers it.
* `returnReceive`: the refund and its messages are one transaction in the gateway's own
  database, so either it is there (the key answers the refunded return) or nothing was
  written (the key is free).
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from connectors.errors import ConnectorError
from ledger import Ledger, NoSuchRecord
from resolvers import return_receipt, returns
from resolvers.context import Sources


class ReturnRecovery:
    """Settles stale return keys; one per process, run by the recovery loop."""

    def __init__(self, sources: Sources, ledger: Ledger) -> None:
        self._sources = sources
        self._ledger = ledger

    async def recover(self, older_than: datetime) -> list[tuple[str, str]]:
        """(scope and key, outcome) of each key settled: "completed" or "released"."""
        outcomes = []
        keys = self._ledger.idempotency
        for scope, key in await keys.stale(returns.SCOPE, older_than):
            return_id = returns.return_id_for(scope, key)
            try:
                found = await self._sources.orders.get_returns([return_id])
            except ConnectorError:
                continue  # the OMS is away: the next round asks again
            outcomes.append(await self._settle(scope, key, return_id, return_id in found))
        for scope, key in await keys.stale(return_receipt.SCOPE, older_than):
            return_id = scope.removeprefix(return_receipt.SCOPE)
            refunded = return_id in await self._ledger.refunds.get([return_id])
            outcomes.append(await self._settle(scope, key, return_id, refunded))
        return outcomes

    async def _settle(self, scope: str, key: str, return_id: str, written: bool) -> tuple[str, str]:
        with contextlib.suppress(NoSuchRecord):  # the request finished it meanwhile
            if written:
                await self._ledger.idempotency.complete(scope, key, {"return_id": return_id})
            else:
                await self._ledger.idempotency.fail(scope, key)
        return f"{scope} {key}", "completed" if written else "released"
