"""The OpenAPI 3.1 documents of the back office's REST APIs, one per system, and their committed copies.

`document(system)` builds a system's document from `schemas` (the documents it serves)
and `paths` (its operations), the CRM's from `crm`; each app serves it at `/<system>/openapi.json`, and a copy is
committed as `backoffice/openapi/<system>.json` for those who build against the contract
without running anything. `python -m backoffice.openapi` rewrites the copies, and
`python -m backoffice.openapi --check` fails when one is stale (as a test does).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from backoffice.openapi import crm, inventory, orders_paths, orders_schemas, paths, schemas
from backoffice.rest import MAX_KEYS, SYSTEMS

#: Where the committed copies live.
DIRECTORY = Path(__file__).parent

#: The default address of `commerce-gateway backoffice serve`.
DEFAULT_SERVER = "http://127.0.0.1:8100"

#: Each system's operations and document schemas: the small systems' in `paths` and
#: `schemas`, the larger ones' in modules of their own.
_PATHS = {
    **paths.BY_SYSTEM,
    "inventory": inventory.PATHS,
    "orders": orders_paths.PATHS,
    "crm": crm.PATHS,
}
_SCHEMAS = {
    **schemas.BY_SYSTEM,
    "inventory": inventory.SCHEMAS,
    "orders": orders_schemas.SCHEMAS,
    "crm": crm.SCHEMAS,
}

_TITLES = {
    "pim": "product information system (PIM)",
    "pricing": "price and promotion engine",
    "inventory": "inventory system",
    "crm": "customer system (CRM)",
    "orders": "order management system (OMS)",
    "loyalty": "loyalty system",
}

_DESCRIPTION = """\
The reference {title} of the commerce gateway, over REST/JSON.

Batch reads are `GET` requests with repeated key parameters (`?id=a&id=b`), answering
`{{"items": [...]}}` in which unknown keys are simply absent; a `POST` to the same path
carries long key lists in a JSON body under their plural names (`{{"ids": [...]}}`), with
at most {max_keys} keys per list. Errors answer `{{"error": {{"code", "message", "ids"?}}}}`.
A system may require a bearer token: a static one, or one issued by the back office's
OAuth2 token endpoint (client credentials) at `/oauth/token`.
"""


def document(system: str) -> dict[str, Any]:
    """The OpenAPI document of one system (a fresh copy, the caller may change it)."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; one of {', '.join(SYSTEMS)}")
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": f"Reference {_TITLES[system]}",
                "version": "1.0.0",
                "description": _DESCRIPTION.format(title=_TITLES[system], max_keys=MAX_KEYS),
                "license": {"name": "MIT", "identifier": "MIT"},
            },
            "servers": [
                {"url": DEFAULT_SERVER, "description": "commerce-gateway backoffice serve"}
            ],
            # The empty requirement makes auth optional: a system requires it only when
            # it is started with a token.
            "security": [{}, {"bearer": []}, {"oauth2": [system]}],
            "paths": _PATHS[system],
            "components": {
                "schemas": {**_SCHEMAS[system], **schemas.COMMON},
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "oauth2": {
                        "type": "oauth2",
                        "flows": {
                            "clientCredentials": {
                                "tokenUrl": "/oauth/token",
                                "scopes": {name: f"read the {name} system" for name in SYSTEMS},
                            }
                        },
                    },
                },
            },
        }
    )


def render(system: str) -> str:
    """The committed text of a system's document."""
    return json.dumps(document(system), indent=2, ensure_ascii=False) + "\n"


def committed_path(system: str) -> Path:
    return DIRECTORY / f"{system}.json"


def stale() -> list[str]:
    """The systems whose committed document differs from the one the code builds."""
    return [
        system
        for system in SYSTEMS
        if not committed_path(system).exists()
        or committed_path(system).read_text(encoding="utf-8") != render(system)
    ]


def write() -> list[Path]:
    """Rewrite every committed document; returns the files written."""
    written = []
    for system in SYSTEMS:
        path = committed_path(system)
        path.write_text(render(system), encoding="utf-8")
        written.append(path)
    return written
