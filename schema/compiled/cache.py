"""Compiled plans kept per operation, least recently used dropped first, bounded in document text.

An operation is known by its document's text and where it starts in it, so a document
parsed again (after the document cache dropped it) finds its plans. Its plans are kept
by the values of the variables its `@skip`/`@include` directives read: collecting fields
depends on nothing else. A plan holds field nodes of its document (and through their
locations its tokens), so the cache is bounded by the text of the documents it holds
(≈ 60 bytes of memory per character of text: `schema.documents.AST_BYTES_PER_TOKEN`
over a token's few characters) and by the variants of each operation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)

from schema.compiled.plan import ObjectPlan

#: Directives whose results depend on the variables' values when their `if:` is a variable.
_SWITCHES = ("skip", "include")
#: Directives asking for incremental delivery, left to graphql-core.
_INCREMENTAL = ("defer", "stream")


@dataclass(slots=True)
class OperationPlans:
    """The plans of one operation, by the values of its `@skip`/`@include` variables.

    `plans[values]` is None when the operation could not be compiled for those values
    (graphql-core executes it).
    """

    switches: tuple[str, ...]
    incremental: bool
    plans: dict[tuple[Hashable, ...], ObjectPlan | None] = field(default_factory=dict)


@dataclass(slots=True)
class CacheStats:
    """How often plans were compiled, reused, or left to graphql-core (tests read these)."""

    compiled: int = 0
    reused: int = 0
    fallbacks: int = 0


class PlanCache:
    """Operations' plans, at most `max_text_bytes` of document text and `max_variants` each."""

    def __init__(self, *, max_text_bytes: int = 256 * 1024, max_variants: int = 16) -> None:
        self.max_text_bytes = max_text_bytes
        self.max_variants = max_variants
        self.stats = CacheStats()
        self._entries: OrderedDict[tuple[str, int], OperationPlans] = OrderedDict()
        self._text_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def operation(
        self,
        operation: OperationDefinitionNode,
        fragments: Iterable[FragmentDefinitionNode],
    ) -> OperationPlans | None:
        """The entry of an operation, made on first sight; None when it has no location."""
        location = operation.loc
        if location is None:
            return None
        key = (location.source.body, location.start)
        entries = self._entries
        entry = entries.get(key)
        if entry is not None:
            entries.move_to_end(key)
            return entry
        switches, incremental = _directives([operation, *fragments])
        entry = entries[key] = OperationPlans(switches, incremental)
        self._text_bytes += len(key[0])
        while self._text_bytes > self.max_text_bytes and len(entries) > 1:
            (body, _start), _dropped = entries.popitem(last=False)
            self._text_bytes -= len(body)
        return entry


def _directives(
    definitions: list[OperationDefinitionNode | FragmentDefinitionNode],
) -> tuple[tuple[str, ...], bool]:
    """The variables read by `@skip`/`@include`, and whether `@defer`/`@stream` appear."""
    finder = _DirectiveFinder()
    for definition in definitions:
        visit(definition, finder)
    return tuple(sorted(finder.switches)), finder.incremental


class _DirectiveFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.switches: set[str] = set()
        self.incremental = False

    def enter_directive(self, node: DirectiveNode, *_args: object) -> None:
        name = node.name.value
        if name in _INCREMENTAL:
            self.incremental = True
        elif name in _SWITCHES:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    self.switches.add(argument.value.name.value)
