"""Documents parsed, measured and validated once, in a cache bounded in bytes, and their limits.

Every limit is computed before execution, from figures kept with the document:

* its text (`max_bytes`), its tokens (`max_tokens`) and any one string literal
  (`max_literal_bytes`), checked while it is parsed;
* its depth, aliases, fields and repeats after fragment expansion, over every operation
  and fragment in it (`schema.complexity.measure`, linear in the text), and the estimated
  cost of the operation to run against the budget of the viewer's role, checked before
  validation, so that validating is only ever done on a document whose expansion is
  known to be small;
* validation itself, cached with the document per set of rules.

The cache holds documents until their estimated memory passes `cache_bytes`, dropping the
least recently used: a flood of distinct large documents costs a bounded amount of memory,
however many. A document holds its text twice (the source, and its literals again as
token values) and ~400 bytes of AST per token (measured with tracemalloc). The default is
8 MB, room for a few hundred ordinary operations: every cached AST node is scanned by
each full garbage collection, which took 32 ms with 8 MB of documents and 135 ms with 32.

Parsing costs 10-25 µs a token in graphql-core, so `max_tokens` also bounds how long one
parse holds the event loop: 1,000 by default (GraphQL Armor's default too), where the
standard introspection query has ~200 and the storefront's listing ~90. The lexer reads
string literals and comments a character at a time (~1 µs each), hence the bounds on a
document's bytes (32 KB) and on any one literal (4 KB).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    TokenKind,
    print_ast,
)
from graphql.language.parser import Parser
from graphql.pyutils import Undefined
from graphql.utilities import get_operation_ast
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.complexity import Shape, estimate_cost, measure

#: Bytes of memory one token of a parsed document holds (nodes, locations, tokens).
AST_BYTES_PER_TOKEN = 400

DOCUMENT_TOO_LARGE = "DOCUMENT_TOO_LARGE"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentLimits:
    """What one GraphQL document may ask; see `gateway.config.LimitSettings` for each."""

    max_bytes: int = 32_768
    max_literal_bytes: int = 4096
    max_tokens: int = 1_000
    max_depth: int = 15
    max_aliases: int = 30
    max_fields: int = 2_000
    max_repeats: int = 20
    default_list_size: int = 10
    #: Estimated fields a request may resolve, by the viewer's role ("" for any other).
    cost_budgets: Mapping[str, int] = field(default_factory=lambda: {"": 20_000})
    cache_bytes: int = 8 * 2**20

    def budget(self, role: str) -> int:
        return self.cost_budgets.get(role, self.cost_budgets.get("", 20_000))


@dataclass(slots=True)
class PreparedDocument:
    """A parsed document and what has been worked out about it so far."""

    document: DocumentNode
    weight: int  # estimated bytes of memory it holds
    measured: Shape | None = None  # worked out on first use, by shape()
    #: Each operation's estimates, by the size keys of the variables that sized it.
    costs: dict[tuple[str | None, tuple[Any, ...]], int] = field(default_factory=dict)
    cost_variables: dict[str | None, tuple[str, ...]] = field(default_factory=dict)
    validation: dict[tuple[type[ASTValidationRule], ...], list[GraphQLError]] = field(
        default_factory=dict
    )
    printed_digest: str | None = None  # worked out on first use, by digest()

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation a request runs; None when the document does not say which."""
        return get_operation_ast(self.document, name)

    def digest(self) -> str:
        """SHA-256 of the printed document: the same whatever its whitespace, commas, comments."""
        if self.printed_digest is None:
            printed = print_ast(self.document).encode("utf-8", "surrogatepass")
            self.printed_digest = hashlib.sha256(printed).hexdigest()
        return self.printed_digest

    def shape(self) -> Shape:
        """The document's size once fragments are expanded (`schema.complexity.measure`)."""
        if self.measured is None:
            self.measured = measure(self.document)
        return self.measured


class DocumentCache:
    """Prepared documents by their text, least recently used dropped past `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, PreparedDocument] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> PreparedDocument | None:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
        return entry

    def put(self, text: str, entry: PreparedDocument) -> None:
        if entry.weight > self.max_bytes:
            return  # would evict everything else for one document
        previous = self._entries.pop(text, None)
        if previous is not None:
            self.bytes -= previous.weight
        self._entries[text] = entry
        self.bytes += entry.weight
        while self.bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.weight


class Documents:
    """The documents one schema is asked: each parsed within the limits once, then cached.

    The schema's `DocumentGuard` and the whole-response cache share it, so that a document
    is parsed once whichever sees it first, and within the same limits.
    """

    def __init__(self, limits: DocumentLimits) -> None:
        self.limits = limits
        self.cache = DocumentCache(limits.cache_bytes)

    def prepare(self, text: str) -> PreparedDocument:
        """The prepared document; raises a coded GraphQLError when it is too large or invalid."""
        prepared = self.cache.get(text)
        if prepared is None:
            prepared = prepare(text, self.limits)
            self.cache.put(text, prepared)
        return prepared


def prepare(text: str, limits: DocumentLimits) -> PreparedDocument:
    """Parse `text` within the limits on its size; raises a coded GraphQLError otherwise."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise _too_large(f"The document is {size} bytes; at most {limits.max_bytes} are allowed.")
    parser = Parser(text, max_tokens=limits.max_tokens)
    try:
        document = parser.parse_document()
    except RecursionError:
        raise _too_large("The document nests too deeply to be parsed.") from None
    except GraphQLError:
        if parser.token_count > limits.max_tokens:
            raise _too_large(
                f"The document has more than {limits.max_tokens} tokens; "
                f"at most {limits.max_tokens} are allowed."
            ) from None
        raise
    for token in _tokens(document):
        if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING) and (
            len(token.value) > limits.max_literal_bytes
        ):
            raise _too_large(
                f"A string literal of {len(token.value)} characters; at most "
                f"{limits.max_literal_bytes} are allowed. Pass large values as variables.",
                line=token.line,
            )
    return PreparedDocument(document, 2 * size + AST_BYTES_PER_TOKEN * parser.token_count)


def _tokens(document: DocumentNode) -> Iterator[Any]:
    token = document.loc.start_token if document.loc else None
    while token is not None:
        yield token
        token = token.next


def _too_large(message: str, *, line: int | None = None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": DOCUMENT_TOO_LARGE}
    if line is not None:
        extensions["line"] = line
    return GraphQLError(message, extensions=extensions)


def _too_complex(message: str, limit: str, maximum: int, actual: int) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={
            "code": QUERY_TOO_COMPLEX,
            "limit": limit,
            "maximum": maximum,
            "actual": actual,
        },
    )


class DocumentGuard(SchemaExtension):
    """Parses through the cache, then holds the operation to the limits before validating it.

    Replaces Strawberry's ParserCache, ValidationCache, MaxTokensLimiter and its depth and
    alias rules, whose cache counts entries whatever their size and whose rules walk a
    fragment once per spread.
    """

    def __init__(self, documents: Documents) -> None:
        self.documents = documents
        self.limits = documents.limits
        self.prepared: PreparedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        text = execution.query
        if text is not None and execution.graphql_document is None:
            self.prepared = self.documents.prepare(text)
            execution.graphql_document = self.prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        prepared = self.prepared
        if prepared is not None and execution.pre_execution_errors is None:
            errors = self._limit_errors(prepared, execution.operation_name)
            if not errors:
                rules = tuple(execution.validation_rules)
                if rules not in prepared.validation:
                    prepared.validation[rules] = validate_document(
                        execution.schema._schema, prepared.document, rules
                    )
                errors = list(prepared.validation[rules])
            execution.pre_execution_errors = errors
        yield

    def _limit_errors(self, prepared: PreparedDocument, name: str | None) -> list[GraphQLError]:
        # Every operation of the document, not only the one to run: validation covers all.
        shape = prepared.shape()
        limits = self.limits
        expanded = "once its fragments are expanded"
        checks = (
            ("depth", shape.depth, limits.max_depth, "The query nests {actual} levels of fields"),
            (
                "aliases",
                shape.aliases,
                limits.max_aliases,
                f"The query has {{actual}} aliased fields {expanded}",
            ),
            (
                "fields",
                shape.fields,
                limits.max_fields,
                f"The query has {{actual}} fields {expanded}",
            ),
            (
                "repeats",
                shape.repeats,
                limits.max_repeats,
                f"The query selects one field {{actual}} times in one selection set {expanded}",
            ),
        )
        for limit, actual, maximum, message in checks:
            if actual > maximum:
                return [
                    _too_complex(
                        f"{message.format(actual=actual)}; at most {maximum} are allowed.",
                        limit,
                        maximum,
                        actual,
                    )
                ]
        # The cost only once the shape is known to be small: it is worked out per request.
        cost = self._cost(prepared, name)
        role = getattr(getattr(self.execution_context.context, "viewer", None), "role", "")
        budget = limits.budget(role)
        if cost > budget:
            return [
                _too_complex(
                    f"The query would resolve about {cost} fields; the budget of the "
                    f"{role or 'anonymous'} role is {budget}. Ask for smaller pages "
                    "(first) or fewer fields, or split the query.",
                    "cost",
                    budget,
                    cost,
                )
            ]
        return []

    def _cost(self, prepared: PreparedDocument, name: str | None) -> int:
        variables = self.execution_context.variables or {}
        read = prepared.cost_variables.get(name)
        if read is not None:
            known = prepared.costs.get((name, _size_keys(variables, read)))
            if known is not None:
                return known
        operation = prepared.operation(name)
        if operation is None:
            return 0
        cost = estimate_cost(
            self.execution_context.schema._schema,
            prepared.document,
            operation,
            variables,
            default_list_size=self.limits.default_list_size,
        )
        prepared.cost_variables[name] = cost.variables
        # Page sizes are few and bounded, yet a client could vary list lengths: a cap.
        if len(prepared.costs) < MAX_COSTS_PER_DOCUMENT:
            prepared.costs[(name, _size_keys(variables, cost.variables))] = cost.fields
        return cost.fields


#: Estimates kept per document (per operation and size keys of its variables).
MAX_COSTS_PER_DOCUMENT = 64


def _size_keys(variables: Mapping[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(_size_key(variables.get(name, Undefined)) for name in names)


def _size_key(value: Any) -> Any:
    """What of a variable's value a cost estimate reads: an int (a page size), a list's length."""
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return ("list", len(value))
    return None if value is Undefined else type(value)
