"""The peer: Hive Gateway over a GraphQL Mesh supergraph of the back office's OpenAPI documents.

Installed with npm under a temporary folder (never in the repository), from the pinned
`bench/peer/package.json`; `install()` reuses an earlier install of the same file.
`prepare_documents()` copies the back office's committed OpenAPI documents with two
adjustments the OpenAPI loader needs, both faithful to what the documents say:

* only the 2xx answers are kept: with the error answers, every operation returns a union
  (`Pim_get_products_response = ... | Pim_Error`) that `@resolveTo`'s `result: "items"`
  cannot walk; an error answer still becomes a GraphQL error.
* a property typed `["string", "null"]` is no longer `required`: the loader reads
  OpenAPI 3.1's null type as non-null (`String!`), and the first null phone number or
  web order without a store would fail the whole object.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from backoffice.rest import SYSTEMS
from bench.processes import Service, run

HERE = Path(__file__).parent / "peer"
OPENAPI = Path(__file__).parent.parent / "backoffice" / "openapi"
_STAMP = "node_modules/.bench-package-hash"


def install(folder: Path, env: Mapping[str, str]) -> None:
    """`npm install` the pinned peer into `folder`, unless the same package.json already is."""
    folder.mkdir(parents=True, exist_ok=True)
    package = (HERE / "package.json").read_bytes()
    digest = hashlib.sha256(package).hexdigest()
    stamp = folder / _STAMP
    for name in ("mesh.config.ts", "gateway.config.ts"):
        shutil.copyfile(HERE / name, folder / name)
    if stamp.is_file() and stamp.read_text() == digest:
        return
    (folder / "package.json").write_bytes(package)
    run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        env=env,
        timeout=600,
    )
    stamp.write_text(digest)


def prepare_documents(target: Path) -> None:
    """The back office's OpenAPI documents, adjusted for the loader (see the module docstring)."""
    target.mkdir(parents=True, exist_ok=True)
    for system in SYSTEMS:
        document = json.loads((OPENAPI / f"{system}.json").read_text())
        for operations in document["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"] = {
                        status: answer
                        for status, answer in operation["responses"].items()
                        if status.startswith("2")
                    }
        _unrequire_nullable(document)
        (target / f"{system}.json").write_text(json.dumps(document, indent=1))


def _unrequire_nullable(node: Any) -> None:
    if isinstance(node, dict):
        properties, required = node.get("properties"), node.get("required")
        if isinstance(properties, dict) and isinstance(required, list):
            nullable = {
                name
                for name, schema in properties.items()
                if isinstance(schema, dict)
                and isinstance(schema.get("type"), list)
                and "null" in schema["type"]
            }
            node["required"] = [name for name in required if name not in nullable]
        for value in node.values():
            _unrequire_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _unrequire_nullable(value)


def compose(folder: Path, supergraph: Path, env: Mapping[str, str]) -> None:
    """Compose the supergraph with `mesh-compose` (env: the BENCH_* names mesh.config.ts reads)."""
    run(
        [str(folder / "node_modules/.bin/mesh-compose"), "-o", str(supergraph)],
        cwd=folder,
        env=env,
        timeout=180,
    )


def start(
    folder: Path,
    supergraph: Path,
    *,
    port: int,
    response_cache: bool,
    env: Mapping[str, str],
    log: Path,
) -> Service:
    """Hive Gateway on 127.0.0.1:`port`, one process (`--fork 1`), as a `Service`."""
    return Service(
        "hive-gateway" + (" +response cache" if response_cache else ""),
        [
            str(folder / "node_modules/.bin/hive-gateway"),
            "supergraph",
            str(supergraph),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--fork",
            "1",
            "--config-path",
            str(folder / "gateway.config.ts"),
        ],
        env={
            **env,
            "BENCH_RESPONSE_CACHE": "1" if response_cache else "0",
            "NODE_ENV": "production",
        },
        cwd=folder,
        log=log,
    )
