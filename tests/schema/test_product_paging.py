"""Paging `products` through the whole gateway: keyset cursors, and counts only when asked."""

import base64

import pytest

from resolvers.ids import to_cursor, to_keyset_cursor
from tests.backoffice.support import count_statements

pytestmark = pytest.mark.anyio

PAGE = """
query Page($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { sku } }
  }
}
"""

COUNTED = """
query Counted($first: Int, $after: String) {
  products(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { sku } }
  }
}
"""


async def walk(api, size):
    pages, after = [], None
    while True:
        reply = await api.query(PAGE, {"first": size, "after": after})
        assert reply.errors is None, reply.errors
        page = reply.data["products"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


def skus(*pages):
    return [edge["node"]["sku"] for page in pages for edge in page["edges"]]


async def test_pages_walk_the_whole_listing_with_no_repeat_and_no_gap(api):
    # given
    whole = (await api.query(PAGE, {"first": 100})).data["products"]
    # when
    pages = await walk(api, 7)
    # then
    assert whole["pageInfo"]["hasNextPage"] is False
    assert skus(*pages) == skus(whole)
    assert len(skus(whole)) > 7 * 3
    assert all(len(page["edges"]) == 7 for page in pages[:-1])
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)


async def test_a_cursor_names_its_product_not_its_position(api):
    # given
    first = (await api.query(PAGE, {"first": 5})).data["products"]
    # when: a page starting after the second product
    later = await api.query(PAGE, {"first": 2, "after": first["edges"][1]["cursor"]})
    # then: the third product has the same cursor on either page
    assert later.data["products"]["edges"][0] == first["edges"][2]
    assert later.data["products"]["pageInfo"]["startCursor"] == first["edges"][2]["cursor"]
    cursor = base64.b64decode(first["edges"][2]["cursor"]).decode()
    assert cursor.startswith("keyset:")
    assert "cursor:2" not in cursor
    assert (
        first["edges"][2]["node"]["sku"]
        in base64.urlsafe_b64decode(cursor.removeprefix("keyset:") + "===").decode()
    )


async def test_hasnextpage_comes_from_the_row_after_the_page(api):
    whole = (await api.query(PAGE, {"first": 100})).data["products"]
    count = len(whole["edges"])

    exact = (await api.query(PAGE, {"first": count})).data["products"]
    one_short = (await api.query(PAGE, {"first": count - 1})).data["products"]
    empty = (await api.query(PAGE, {"first": 0})).data["products"]

    assert exact["pageInfo"]["hasNextPage"] is False
    assert one_short["pageInfo"]["hasNextPage"] is True
    assert empty == {
        "pageInfo": {
            "hasNextPage": True,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
    }


def _tampered() -> str:
    token = base64.urlsafe_b64encode(b'["P100001"]').decode().rstrip("=")  # one value of two
    return to_keyset_cursor(token)


@pytest.mark.parametrize(
    "after",
    [
        "bogus",
        to_cursor(4),  # an order list's cursor
        base64.b64encode(b"keyset:").decode(),
        base64.b64encode(b"keyset:\x00abc").decode(),
        "é",
        "A" * 5000,
        _tampered(),  # our wrapper, the PIM's token altered: the PIM refuses it
        to_keyset_cursor("bm90IGEgdG9rZW4"),
    ],
)
async def test_an_invalid_cursor_is_bad_user_input(api, after):
    reply = await api.query(PAGE, {"first": 5, "after": after})

    assert reply.status == 200
    assert reply.data is None
    assert reply.codes == ["BAD_USER_INPUT"]
    assert reply.errors[0]["extensions"]["argument"] == "after"
    assert "Traceback" not in str(reply.body)


async def test_a_search_cursor_of_before_the_relevance_tiers_is_bad_user_input(api):
    # given: a search's cursor as it was, a float rank leading; and one as it is now
    rank = base64.urlsafe_b64encode(b'[0.0607927,"P100001","p00001"]').decode().rstrip("=")
    page = await api.query(PAGE, {"first": 1, "search": "verf"})
    current = page.data["products"]["edges"][0]["cursor"]
    # when
    stale = await api.query(PAGE, {"first": 1, "search": "verf", "after": to_keyset_cursor(rank)})
    fresh = await api.query(PAGE, {"first": 1, "search": "verf", "after": current})
    # then
    assert stale.codes == ["BAD_USER_INPUT"]
    assert stale.errors[0]["extensions"]["argument"] == "after"
    assert fresh.errors is None
    assert fresh.data["products"]["edges"][0]["cursor"] != current


async def test_a_search_of_too_many_words_is_bad_user_input(api):
    many = " ".join(["verf"] * 17)
    reply = await api.query(
        "query ($s: String) { products(first: 2, search: $s) { edges { node { sku } } } }",
        {"s": many},
    )

    assert reply.codes == ["BAD_USER_INPUT"]
    assert reply.errors[0]["extensions"]["argument"] == "search"


async def test_no_count_runs_unless_totalcount_is_asked(api, engine):
    # when: a page without totalCount, then the same page with it
    with count_statements(engine) as plain:
        reply = await api.query(PAGE, {"first": 5})
    with count_statements(engine) as counted:
        asked = await api.query(COUNTED, {"first": 5})
    # then
    assert reply.errors is None
    assert plain, "the search reached the back office"
    assert not [s for s in plain if "count(" in s.lower()]
    assert len([s for s in counted if "count(" in s.lower()]) == 1
    everything = (await api.query(PAGE, {"first": 100})).data["products"]["edges"]
    assert asked.data["products"]["totalCount"] == len(everything)
    deeper = await api.query(
        COUNTED, {"first": 5, "after": asked.data["products"]["pageInfo"]["endCursor"]}
    )
    assert deeper.data["products"]["totalCount"] == len(everything)
    assert skus(asked.data["products"], deeper.data["products"]) == [
        e["node"]["sku"] for e in everything[:10]
    ]


async def test_totalcount_through_a_fragment_is_counted(api):
    reply = await api.query(
        "query { products(first: 2) { ...Count } } fragment Count on ProductConnection"
        " { totalCount }"
    )

    assert reply.errors is None
    assert reply.data["products"]["totalCount"] > 2
