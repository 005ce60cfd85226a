"""The hostile catalogue against a production-mode gateway in a process of its own.

Each request of `bench.hostile.CATALOGUE` is a test of its own: it must get its status
and code, no 5xx, while /healthz keeps answering. The bounds asserted here are loose
("not frozen": a second) so that a loaded machine passes; `python -m bench.hostile`
prints the figures themselves (see bench/HOSTILE.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.hostile import Target, flood, production_gateway
from bench.hostile_catalogue import CATALOGUE, Hostile, literal_flood_body

pytestmark = pytest.mark.anyio

#: Loose bounds, an order of magnitude above the figures measured on an idle machine (a
#: request that runs, rather than being refused, carries its own: `Hostile.answer_seconds`).
ANSWER_SECONDS = 1.0
HEALTHZ_SECONDS = 1.0


@pytest.fixture(scope="module")
def gateway(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    log = tmp_path_factory.mktemp("hostile") / "gateway.log"
    with production_gateway(seeded_url, {}, log) as target:
        yield target


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.name for case in CATALOGUE])
async def test_a_hostile_request_gets_a_coded_client_error_and_the_server_keeps_serving(
    gateway: Target, case: Hostile
):
    outcome = await gateway.attack(case)

    assert outcome.problems(case) == []
    assert outcome.status < 500
    assert outcome.seconds < case.answer_seconds
    assert outcome.healthz_probes >= 1
    assert outcome.healthz_max_seconds < HEALTHZ_SECONDS


async def test_a_flood_of_distinct_900_kb_literals_is_refused_and_memory_stays_flat(
    gateway: Target,
):
    # Before the document limits, 600 of these took the process from 106 MB to 1,091 MB.
    figures = await flood(gateway, 600, literal_flood_body)

    assert figures["max_status"] == 422
    assert figures["rss_after_mb"] - figures["rss_before_mb"] < 64
    assert figures["slowest_seconds"] < ANSWER_SECONDS
    assert figures["healthz_max_seconds"] < HEALTHZ_SECONDS


def test_the_catalogue_holds_at_least_thirty_named_requests():
    names = [case.name for case in CATALOGUE]

    assert len(names) >= 30
    assert len(set(names)) == len(names)
