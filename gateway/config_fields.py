"""How a settings field declares what `gateway.config_loading` does with it: limits, secrets, `${NAME}`.

Each helper is a dataclass field's `metadata`: `bounds` limits a number, `SECRET` keeps a
value out of the file (environment only), `ENV_REFERENCES` expands `${NAME}`, `CREDENTIAL`
expands it and never shows the result, `INTERNAL` is set by the loader, not by the user.
"""

from __future__ import annotations

from typing import Any


def bounds(
    minimum: float | None = None, maximum: float | None = None, *, above: float | None = None
) -> dict[str, Any]:
    """The bounds of a number: from `minimum` to `maximum`, or strictly `above`."""
    return {"minimum": minimum, "maximum": maximum, "above": above}


# Secrets are read from the environment only; the file may not contain them.
SECRET = {"secret": True}
# `${NAME}` in a value is replaced by the environment variable NAME.
ENV_REFERENCES = {"env_references": True}
# A credential the file refers to as `${NAME}`: expanded, and never shown.
CREDENTIAL = {"env_references": True, "redacted": True}
INTERNAL = {"internal": True}
