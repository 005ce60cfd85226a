"""The size run's EXPLAIN plans: what each statement reads, and their Markdown.

Pure, as `bench.sizes_report`: the back office (`bench.sizes_backoffice`) hands over each
statement of one request with its `EXPLAIN (ANALYZE, BUFFERS)`; this module only reads and
lays them out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Plan:
    """One SQL statement the back office ran for a request, and its EXPLAIN ANALYZE."""

    statement: str
    plan: str

    @property
    def execution_ms(self) -> float | None:
        """The plan's "Execution Time: N ms", if it has one."""
        for line in reversed(self.plan.splitlines()):
            text = line.strip()
            if text.startswith("Execution Time:"):
                return float(text.split(":", 1)[1].strip().split()[0])
        return None

    @property
    def what(self) -> str:
        """What the statement reads, e.g. "count of pim_product" or "rows of pim_variant"."""
        table = _FROM.search(self.statement)
        name = table.group(1) if table else "?"
        return f"count of {name}" if "count(" in self.statement.lower() else f"rows of {name}"

    @property
    def scans(self) -> str:
        """The tables the plan reads whole ("Seq Scan on ..."), or "index"."""
        found = sorted(set(_SEQ_SCAN.findall(self.plan)))
        return "seq scan of " + ", ".join(found) if found else "index"


_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
#: A run of bound parameters, "$1::VARCHAR, $2::VARCHAR, ...".
_PARAMETERS = re.compile(r"\$\d+(?:::[A-Z ]+?)?(?:, \$\d+(?:::[A-Z ]+?)?)+(?=\))")
#: An array literal in a plan, "'{p00012,p00013,...}'".
_ARRAY = re.compile(r"'\{([^}']*)\}'")


def compact(text: str, *, keep: int = 3) -> str:
    """`text` (a statement or a plan) with each list of bound parameters and each array
    literal cut to its first `keep` items and a count: a page's 48 keys say nothing more."""

    def parameters(match: re.Match[str]) -> str:
        items = match.group(0).split(", ")
        if len(items) <= keep + 1:
            return match.group(0)
        return f"{', '.join(items[:keep])}, … {items[-1]}"

    def array(match: re.Match[str]) -> str:
        items = match.group(1).split(",")
        if len(items) <= keep + 1:
            return match.group(0)
        return f"'{{{','.join(items[:keep])},… {len(items)} values}}'"

    return _ARRAY.sub(array, _PARAMETERS.sub(parameters, text))


def render_plans(
    title: str, plans: Mapping[str, Sequence[Plan]], queries: Mapping[str, str]
) -> list[str]:
    """The Markdown of one size's plans (`plans`: query name -> its statements), headed
    `title`: a summary table, then each query's statements and plans folded."""
    if not plans:
        return []
    lines = [
        f"EXPLAIN (ANALYZE, BUFFERS), {title}:",
        "",
        "| query | statement | executing ms | reads |",
        "| --- | --- | ---: | --- |",
    ]
    for name, what in queries.items():
        for plan in plans.get(name, []):
            took = "?" if plan.execution_ms is None else f"{plan.execution_ms:.2f}"
            lines.append(f"| {what} | {plan.what} | {took} | {plan.scans} |")
    lines.append("")
    for name, what in queries.items():
        found = plans.get(name)
        if not found:
            continue
        total = sum(plan.execution_ms or 0.0 for plan in found)
        lines += [
            f"<details><summary>{what}: {len(found)} statements, "
            f"{total:.1f} ms executing</summary>",
            "",
        ]
        for plan in found:
            statement = "\n".join(
                line.rstrip() for line in compact(plan.statement.strip()).splitlines()
            )
            lines += ["```sql", statement, "```", "```text", compact(plan.plan), "```"]
        lines += ["</details>", ""]
    return lines
