"""Switchable faults of the back office's systems: latency, errors, hangs and outages.

Faults, in the order they strike: an outage answers 503 at once; latency (fixed plus
uniform jitter) delays the rest; then one draw of the system's seeded `random.Random`
decides between an error (503), a hang (no answer for `hang_seconds`, far beyond any
client timeout, until the client gives up) or the real answer. `backoffice.http` puts a
`FaultMiddleware` in front of each system and serves `GET/POST /_faults`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice.rest import SYSTEMS, error_response


@dataclass(slots=True, kw_only=True)
class Faults:
    """What goes wrong with one system's answers; every switch off by default."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 300.0
    outage: bool = False

    def __post_init__(self) -> None:
        for name in ("latency_ms", "jitter_ms", "hang_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        for name in ("error_rate", "hang_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.error_rate + self.hang_rate > 1:
            raise ValueError("error_rate + hang_rate must not exceed 1")


_FAULT_FIELDS = {f.name: f.type for f in fields(Faults)}


class FaultSwitches:
    """The faults of each system, switchable while serving, and the random numbers that decide them.

    Each system draws from its own `random.Random` seeded from `seed` and its name, so a
    run is reproducible and one system's traffic does not shift another's faults.
    """

    def __init__(
        self, systems: Sequence[str] = SYSTEMS, *, seed: int = 0, faults: Faults | None = None
    ) -> None:
        self._faults = {system: replace(faults or Faults()) for system in systems}
        self._seed = seed
        self._random = self._randoms(seed)

    def _randoms(self, seed: int) -> dict[str, random.Random]:
        return {system: random.Random(f"{seed}:{system}") for system in self._faults}

    @property
    def systems(self) -> tuple[str, ...]:
        return tuple(self._faults)

    def of(self, system: str) -> Faults:
        return self._faults[system]

    def draw(self, system: str) -> float:
        return self._random[system].random()

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply a `POST /_faults` body; raises `ValueError` naming what is wrong."""
        changes = dict(changes)
        systems = changes.pop("systems", None)
        reset = changes.pop("reset", False)
        seed = changes.pop("seed", None)
        if systems is None:
            systems = list(self._faults)
        if not isinstance(systems, list) or not all(s in self._faults for s in systems):
            raise ValueError(f'"systems" must list some of {", ".join(self._faults)}')
        if not isinstance(reset, bool):
            raise ValueError('"reset" must be true or false')
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError('"seed" must be a whole number')
        for name, value in changes.items():
            kind = _FAULT_FIELDS.get(name)
            if kind is None:
                raise ValueError(f"unknown fault {name!r}; one of {', '.join(_FAULT_FIELDS)}")
            if kind == "bool" and not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            if kind == "float" and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ValueError(f"{name} must be a number")
        # Validate every system's result before changing any.
        updated = {
            system: replace(Faults() if reset else self._faults[system], **changes)
            for system in systems
        }
        self._faults.update(updated)
        if seed is not None:
            self._seed = seed
            self._random = self._randoms(seed)

    def describe(self) -> dict[str, Any]:
        return {
            "seed": self._seed,
            "systems": {system: asdict(faults) for system, faults in self._faults.items()},
        }


class FaultMiddleware:
    """Injects one system's faults into its requests (pure ASGI, so a hang can watch the client)."""

    def __init__(self, app: ASGIApp, *, system: str, switches: FaultSwitches) -> None:
        self._app = app
        self._system = system
        self._switches = switches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        faults = self._switches.of(self._system)
        if faults.outage:
            await _unavailable(f"{self._system} is down (injected outage)")(scope, receive, send)
            return
        delay = faults.latency_ms + (
            self._switches.draw(self._system) * faults.jitter_ms if faults.jitter_ms else 0.0
        )
        if delay:
            await asyncio.sleep(delay / 1000)
        roll = self._switches.draw(self._system)
        if roll < faults.error_rate:
            await _unavailable(f"{self._system} failed (injected error)")(scope, receive, send)
        elif roll < faults.error_rate + faults.hang_rate:
            await _hang(faults.hang_seconds, scope, receive, send)
        else:
            await self._app(scope, receive, send)


def _unavailable(message: str) -> Response:
    return error_response(503, "UNAVAILABLE", message)


async def _hang(seconds: float, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer nothing until the client goes away or `seconds` pass (then 504)."""
    # Reading until the disconnect (instead of sleeping) ends the handler as soon as the
    # client gives up, so hung requests do not pile up in the server.
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass
        return
    await error_response(504, "UNAVAILABLE", "no answer (injected hang)")(scope, receive, send)
