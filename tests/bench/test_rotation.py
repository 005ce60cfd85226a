"""The rotating listing: distinct pages in flight, the same sequence for both gateways, the
same selection as the repeating listing, selectable by name and reported beside it."""

import itertools
from typing import Any

import orjson
import pytest
from graphql import FieldNode, OperationDefinitionNode, parse, print_ast
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import listings
from bench.__main__ import main
from bench.gateways import request
from bench.load import Rotation
from bench.measure import Load, Result
from bench.queries import BY_NAME, Subjects, load_text, pages_of, pick_subjects, select_queries
from bench.report import Run, render
from resolvers.ids import from_global_id
from tests.api import Api

ROTATING = BY_NAME["listing-gtin-rotating"]
CATEGORIES = tuple((f"c0{d}0{leaf}", 40 + leaf) for d in range(1, 4) for leaf in range(1, 5))
SUBJECTS = Subjects(categories=CATEGORIES)
CONCURRENCY = 10


def _variables(raw: bytes) -> dict[str, Any]:
    body: dict[str, Any] = orjson.loads(raw.split(b"\r\n\r\n", 1)[1])
    return dict(body["variables"])


def _sequence(target: str) -> list[str]:
    """The category each request of the load asks, in the order sent."""
    requests = [
        request(target, ROTATING, 1, page) for page in pages_of(ROTATING, SUBJECTS).values()
    ]
    if target.startswith("peer"):
        return [_variables(r.raw)["category"] for r in requests]
    return [from_global_id(_variables(r.raw)["category"])[1] for r in requests]


def test_the_rotating_listing_asks_a_different_category_page_in_every_window_of_concurrency() -> (
    None
):
    # given: the load takes the requests in turn, around (12 pages, concurrency 10)
    sequence = _sequence("ours")
    around = list(itertools.islice(itertools.cycle(sequence), 5 * len(sequence)))

    # then
    assert sequence == [category for category, _ in CATEGORIES]
    windows = [around[i : i + CONCURRENCY] for i in range(len(around) - CONCURRENCY)]
    assert all(len(set(window)) == CONCURRENCY for window in windows)


def test_both_gateways_get_the_same_sequence_of_pages() -> None:
    assert _sequence("ours") == _sequence("ours+ec") == _sequence("peer") == _sequence("peer+rc")


def _selection(document: str, field: str) -> str:
    (operation,) = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    (root,) = operation.selection_set.selections
    assert isinstance(root, FieldNode)
    assert root.name.value == field
    assert root.selection_set is not None
    return print_ast(root.selection_set)


def test_the_rotating_listing_selects_what_the_repeating_one_does() -> None:
    assert _selection(listings.LISTING_GTIN_BY_CATEGORY, "products") == _selection(
        listings.LISTING_GTIN, "products"
    )
    assert _selection(listings.PEER_LISTING_GTIN_BY_CATEGORY, "Pim_search_products") == (
        _selection(listings.PEER_LISTING_GTIN, "Pim_search_products")
    )
    assert ROTATING.rotates == "listing-gtin"
    assert ROTATING.ours_fingerprint is BY_NAME["listing-gtin"].ours_fingerprint
    assert ROTATING.peer_fingerprint is BY_NAME["listing-gtin"].peer_fingerprint


def test_the_rotation_hands_out_requests_in_turn_and_skips_one_still_in_flight() -> None:
    # given: 12 requests, 10 in flight
    rotation = Rotation(12)
    first = [rotation.take() for _ in range(10)]

    # when: request 3 is slow; the others finish and are taken again, 4 rounds over
    taken = []
    in_flight = set(first)
    for turn in range(48):
        done = next(index for index in sorted(in_flight) if index != 3 or turn > 40)
        rotation.done(done)
        in_flight.discard(done)
        index = rotation.take()
        assert index not in in_flight
        in_flight.add(index)
        taken.append(index)

    # then
    assert first == list(range(10))
    assert taken[:2] == [10, 11]
    assert 3 not in taken[:40]
    assert rotation.skipped > 0
    assert rotation.overlaps == 0


def test_the_rotation_counts_a_request_sent_twice_at_once_only_when_all_are_in_flight() -> None:
    two = Rotation(2)
    assert [two.take(), two.take(), two.take()] == [0, 1, 0]
    assert two.overlaps == 1

    repeating = Rotation(1)
    assert [repeating.take() for _ in range(10)] == [0] * 10
    assert repeating.overlaps == 0


def test_the_rotating_listing_is_selectable_by_name_and_unknown_names_are_refused() -> None:
    chosen = select_queries("listing-gtin-rotating,listing-gtin")
    assert [q.name for q in chosen] == ["listing-gtin", "listing-gtin-rotating"]
    with pytest.raises(ValueError, match="listing-gtin-rotten"):
        select_queries("listing-gtin,listing-gtin-rotten")
    with pytest.raises(SystemExit) as exited:
        main(["--queries", "listing-gtin-rotten", "--no-peer"])
    assert exited.value.code == 2


def test_the_loads_are_described_by_what_they_send() -> None:
    assert load_text(BY_NAME["listing-gtin"], SUBJECTS) == "repeats one request"
    assert load_text(ROTATING, SUBJECTS) == "rotates over 12 category pages (41–44 products)"


def _result(target: str, query: str, throughput: float, cpu: float, calls: float) -> Result:
    load = Load(
        requests=600,
        seconds=6.0,
        throughput=throughput,
        p50_ms=100.0,
        p95_ms=120.0,
        errors=0,
        first_error=None,
        cpu_ms={"gateway": cpu, "source": 0.1, "back office": 0.0},
        upstream_calls=calls,
    )
    return Result(target=target, query=query, source="fast", load=load, rss_mb=128.0)


def test_the_report_states_the_no_cache_target_for_the_repeating_and_the_rotating_load() -> None:
    # given
    measured = {
        ("listing-gtin", "ours"): (94.0, 6.6, 0.40),
        ("listing-gtin", "peer"): (100.0, 11.9, 3.00),
        ("listing-gtin-rotating", "ours"): (150.0, 6.2, 3.00),
        ("listing-gtin-rotating", "peer"): (100.0, 11.5, 3.00),
    }
    run = Run(
        machine={},
        command="python -m bench",
        latency_ms=20.0,
        concurrency=10,
        runs=1,
        sources=["fast"],
        targets=["ours", "peer"],
        queries=["listing-gtin", "listing-gtin-rotating"],
        loads={q.name: load_text(q, SUBJECTS) for q in (BY_NAME["listing-gtin"], ROTATING)},
        results={
            (0, "fast", target, query): _result(target, query, *figures)
            for (query, target), figures in measured.items()
        },
        call_ms={"fast": 20.4},
        floors={"fast": {"listing-gtin": 46.8, "listing-gtin-rotating": 45.0}},
        notes=[],
    )

    # when
    report = render(run)

    # then
    repeat = next(line for line in report.splitlines() if "repeat load" in line)
    rotating = next(line for line in report.splitlines() if "rotating load" in line)
    assert "94 vs 100 req/s (0.94×)" in repeat
    assert "calls/req 0.40 vs 3.00" in repeat
    assert "| **no** |" in repeat
    assert "(listing-gtin-rotating)" in rotating
    assert "150 vs 100 req/s (1.50×)" in rotating
    assert "gateway CPU ms/req 6.2 vs 11.5" in rotating
    assert "calls/req 3.00 vs 3.00" in rotating
    assert "| yes |" in rotating
    assert "| rotates over 12 category pages (41–44 products) |" in report
    row = next(
        line for line in report.splitlines() if line.startswith("| listing-gtin-rotating | ours")
    )
    assert "| 6.2 · 0.1 · 0.0 | 3.00 |" in row


@pytest.mark.anyio
async def test_the_category_pages_share_no_product_and_each_answers_its_category(
    api: Api, engine: AsyncEngine
) -> None:
    # given
    subjects = await pick_subjects(engine)
    pages = pages_of(ROTATING, subjects)

    # when
    answers = {}
    for category, page in pages.items():
        reply = await api.query(ROTATING.ours, ROTATING.ours_variables(page))
        assert reply.errors is None, reply.errors
        answers[category] = ROTATING.ours_fingerprint(reply.data)

    # then
    assert len(pages) >= CONCURRENCY
    assert {category: len(skus) for category, skus in answers.items()} == {
        category: min(products, subjects.listing_size) for category, products in subjects.categories
    }
    skus = [sku for page in answers.values() for sku in page]
    assert len(skus) == len(set(skus))


def test_a_run_of_the_rotating_listing_alone_says_its_no_cache_target_is_the_rotating_load() -> (
    None
):
    # given
    run = Run(
        machine={},
        command="python -m bench",
        latency_ms=20.0,
        concurrency=10,
        runs=1,
        sources=["fast"],
        targets=["ours", "peer"],
        queries=["listing-gtin-rotating"],
        loads={ROTATING.name: load_text(ROTATING, SUBJECTS)},
        results={
            (0, "fast", "ours", ROTATING.name): _result("ours", ROTATING.name, 150.0, 6.2, 3.0),
            (0, "fast", "peer", ROTATING.name): _result("peer", ROTATING.name, 100.0, 11.5, 3.0),
        },
        call_ms={"fast": 20.4},
        floors={"fast": {ROTATING.name: 45.0}},
        notes=[],
    )

    # when
    report = render(run)

    # then
    assert "### Targets of issue 10 (listing-gtin-rotating)" in report
    assert "| fast | no cache ≥ 1.3× the peer, rotating load | 150 vs 100 req/s" in report
