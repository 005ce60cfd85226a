"""The source layer as composable parts: one small layer per concern, stacked per source.

Every layer has one method and holds the next one, the way httpx stacks transports. A
read goes through `ReadLayer`s and then `CallLayer`s; a call (carts, writes) only through
the latter. `gateway.bootstrap.build_stack` assembles them, in this order:

    Cache -> SharedFetch -> Retry -> Observe -> Breaker -> Bulkhead -> Timeout -> Adapter

Retry sits outside the breaker so that each attempt asks the breaker (an opened breaker
stops the retries) and counts in it, and `Observe` counts every attempt, including those
the breaker or the bulkhead turned away. `connectors.guard.SourceGuard` is the handle the
guarded connectors call.
"""
