"""The size run's pure parts: percentiles, ratios, the deep page's cursor, the report."""

import httpx
import pytest

from bench.sizes_plans import Plan, compact
from bench.sizes_queries import QUERIES, cursor_at, cursor_of, deep_position, variables
from bench.sizes_report import (
    Collections,
    Figures,
    GatewayRun,
    Seed,
    SizeRun,
    collections,
    compared_sizes,
    figures,
    ratio,
    render,
)
from resolvers.errors import BadUserInput
from resolvers.ids import from_keyset_cursor

pytestmark = pytest.mark.anyio


def test_percentiles_are_read_from_the_sorted_samples_in_ms():
    seconds = [i / 1000 for i in range(100, 0, -1)]  # 1..100 ms, out of order

    found = figures(seconds, calls=[4, 3, 5], cpu_seconds=0.85)

    assert (found.samples, found.p50, found.p90, found.p99) == (100, 51.0, 91.0, 100.0)
    assert found.cpu_ms == pytest.approx(8.5)
    assert found.min_calls == 3
    assert found.tail == pytest.approx(100 / 51)


def test_no_samples_is_refused_rather_than_a_zero():
    with pytest.raises(ValueError, match="no samples"):
        figures([], calls=[])


def test_a_ratio_needs_a_base():
    assert ratio(104.0, 32.0) == 3.25
    assert ratio(1.0, 0.0) is None


def test_the_demo_size_is_the_base_of_the_ratios_when_it_was_run():
    assert compared_sizes(["demo", "xl"]) == ("demo", "xl")
    assert compared_sizes(["small", "demo", "large"]) == ("demo", "large")
    assert compared_sizes(["small", "demo"]) == ("small", "demo")
    assert compared_sizes(["small", "large"]) == ("small", "large")
    assert compared_sizes(["demo"]) is None


def test_the_deep_page_starts_ninety_percent_in_and_is_whole():
    assert deep_position(205_000) == 184_499  # continues after it: starts at 184,500
    assert deep_position(981) == 881
    assert deep_position(59) == 10  # 90 % in would leave no whole page of 48
    assert deep_position(10) == 0


def test_the_cursor_of_a_row_is_the_gateways_wrapping_of_the_rows_token():
    cursor = cursor_of(881, {"id": "p00900", "sku": "P100900", "cursor": "WyJQMTAwOTAwIl0"})

    assert from_keyset_cursor(cursor) == "WyJQMTAwOTAwIl0"
    with pytest.raises(BadUserInput):
        from_keyset_cursor("not-a-cursor")


async def test_the_cursor_at_a_position_asks_the_back_office_for_the_row_there():
    asked = []

    def search(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        offset = int(request.url.params["offset"])
        items = [{"id": "p00900", "sku": "P100900", "cursor": "tok"}] if offset < 981 else []
        return httpx.Response(200, json={"items": items, "total": 981})

    transport = httpx.MockTransport(search)
    async with httpx.AsyncClient(transport=transport, base_url="http://pim") as pim:
        cursor = await cursor_at(pim, 881)
        with pytest.raises(LookupError, match="no product at position 981"):
            await cursor_at(pim, 981)

    assert from_keyset_cursor(cursor) == "tok"
    assert asked[0] == {"offset": "881", "limit": "1", "complete_only": "true"}


def test_each_query_asks_a_page_of_48_with_its_word_or_cursor():
    by_name = {query.name: query for query in QUERIES}

    assert variables(by_name["listing"]) == {"first": 48}
    assert variables(by_name["common"]) == {"first": 48, "search": "paint"}
    assert variables(by_name["rare"]) == {"first": 48, "search": "vijgenblad"}
    assert variables(by_name["deep"], "Y3Vyc29yOjg4MQ==") == {
        "first": 48,
        "after": "Y3Vyc29yOjg4MQ==",
    }


def test_collections_are_counted_between_the_samples_first_and_last():
    lines = [
        "100.0 0 0.2 0",
        "101.0 2 9.5 10",
        "101.5 1 0.4 0",
        "102.0 2 12.0 3",
        "103.0 2 80.0 0",  # after the samples
    ]

    assert collections(lines, 100.5, 102.5) == Collections(
        young=1, full=2, full_max_ms=12.0, full_ms=21.5
    )


def test_long_lists_of_keys_are_cut_in_statements_and_plans():
    statement = "WHERE id IN ($1::VARCHAR, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR)"
    plan = (
        "Filter: ((id)::text = ANY ('{p1,p2,p3,p4,p5,p6}'::text[])) AND c = ANY ('{WEB,DEFAULT}')"
    )

    assert (
        compact(statement) == "WHERE id IN ($1::VARCHAR, $2::VARCHAR, $3::VARCHAR, … $5::VARCHAR)"
    )
    assert compact(plan) == (
        "Filter: ((id)::text = ANY ('{p1,p2,p3,… 6 values}'::text[])) AND c = ANY ('{WEB,DEFAULT}')"
    )


def test_a_plan_says_what_it_reads_and_whether_whole_tables():
    counted = Plan(
        "SELECT count(pim_product.id) AS count_1 \nFROM pim_product \nWHERE x",
        "Aggregate\n  ->  Seq Scan on pim_product  (cost=0.00..1.00)\nExecution Time: 4.45 ms",
    )
    indexed = Plan("SELECT a FROM price_item WHERE b", "Index Scan using price_item_pkey")

    assert (counted.what, counted.scans) == ("count of pim_product", "seq scan of pim_product")
    assert (indexed.what, indexed.scans) == ("rows of price_item", "index")


def test_a_plan_knows_its_execution_time():
    assert (
        Plan("SELECT 1", "Result\nPlanning Time: 0.01 ms\nExecution Time: 61.25 ms").execution_ms
        == 61.25
    )
    assert Plan("SELECT 1", "Result").execution_ms is None


def _gateway(threshold: int, p50: float, tail: float = 3.0) -> GatewayRun:
    gateway = GatewayRun(threshold)
    gateway.figures["listing"] = Figures(
        samples=100, p50=p50, p90=p50 * 1.5, p99=p50 * tail, min_calls=3, cpu_ms=9.25
    )
    return gateway


def _run(database: str, size: str, p50: float, plan: Plan | None = None) -> SizeRun:
    run = SizeRun(database, size, total=981, matches={"paint": 124}, seed=Seed(4.25, 180.4))
    run.gateways.append(_gateway(2000, p50))
    if plan is not None:
        run.plans["listing"] = [plan]
    return run


def test_the_report_shows_each_size_the_ratio_and_the_plans():
    plan = Plan("SELECT count(*) FROM pim_product", "Aggregate\nExecution Time: 61.00 ms")
    runs = [
        _run("postgresql", "demo", 32.0),
        _run("postgresql", "xl", 104.0, plan),
    ]

    report = render(runs, {"listing": "listing of 48"}, ["# sizes"])

    assert report.startswith("# sizes\n")
    assert (
        "| listing of 48 | postgresql | demo | 2000 | 100 | 32.0 | 48.0 | 96.0 | 3.00× | not | – "
        "| 9.2 |" in report
    )
    assert "| listing of 48 | postgresql | 2000 | 3.25× | 3.25× | 3.25× | not |" in report
    assert "| postgresql | xl | 981 | 'paint': 124 | 4.2 s | 180 MB | met |" in report
    assert "| postgresql | demo | 981 | 'paint': 124 | 4.2 s | 180 MB | – |" in report
    assert "<summary>listing of 48: 1 statements, 61.0 ms executing</summary>" in report
    assert "| listing of 48 | count of pim_product | 61.00 | index |" in report
    assert "```sql\nSELECT count(*) FROM pim_product\n```" in report


def test_the_report_shows_the_gateways_memory_as_the_samples_went_on():
    run = _run("sqlite", "demo", 21.0)
    run.gateways[0].rss_trail["listing"] = [133.4, 135.9, 136.2]

    report = render([run], {"listing": "listing of 48"}, [])

    assert "- sqlite/demo/2000/listing: 133, 136, 136" in report


def test_the_tail_target_is_judged_per_gc_threshold_at_every_size():
    demo, xl = _run("sqlite", "demo", 20.0), _run("sqlite", "xl", 25.0)
    demo.gateways = [_gateway(700, 20.0, tail=2.5), _gateway(2000, 20.0, tail=1.5)]
    xl.gateways = [_gateway(700, 25.0, tail=1.9), _gateway(2000, 25.0, tail=2.0)]

    report = render([demo, xl], {"listing": "listing of 48"}, [])

    assert "- GC threshold 700: not met at 1 of 2 (listing of 48 sqlite/demo 2.50×)" in report
    assert "- GC threshold 2000: met (2 of 2)" in report
    assert (
        "| listing of 48 | sqlite | xl | 2000 | 100 | 25.0 | 37.5 | 50.0 | 2.00× | met |" in report
    )
    # Each threshold's ratio is of its own gateways: xl's 700 against demo's 700.
    assert "| listing of 48 | sqlite | 700 | 1.25× | 1.25× | 0.95× | met |" in report


def test_full_collections_are_shown_per_request():
    run = _run("sqlite", "demo", 20.0)
    run.gateways[0].collections["listing"] = Collections(
        young=40, full=7, full_max_ms=12.5, full_ms=60.0
    )

    report = render([run], {"listing": "listing of 48"}, [])

    assert "| 3.00× | not | 0.070 | 9.2 |" in report
    assert "| listing of 48 | sqlite | demo | 2000 | 40 | 7 | 0.070 | 12.5 | 60.0 |" in report


def test_the_seed_target_is_of_xl_under_five_minutes_within_a_gibibyte():
    assert Seed(299.0, 1024.0).verdict("xl") == "met"
    assert Seed(301.0, 500.0).verdict("xl") == "not"
    assert Seed(60.0, 1100.0).verdict("xl") == "not"
    assert Seed(1.0, 90.0).verdict("demo") == "–"
