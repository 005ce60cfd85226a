"""`python -m backoffice.openapi [--check]`: rewrite, or check, the committed OpenAPI documents."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from backoffice import openapi


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backoffice.openapi",
        description="Rewrite backoffice/openapi/<system>.json from the code, or check them.",
    )
    parser.add_argument("--check", action="store_true", help="fail when a document is stale")
    args = parser.parse_args(argv)
    if args.check:
        systems = openapi.stale()
        for system in systems:
            print(f"{openapi.committed_path(system)} is stale", file=sys.stderr)
        if systems:
            print("run: python -m backoffice.openapi", file=sys.stderr)
        return 1 if systems else 0
    for path in openapi.write():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
