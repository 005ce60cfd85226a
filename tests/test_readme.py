"""The README's example queries run against the seeded demo retailer, so they never rot."""

import re
from pathlib import Path

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID, HOME_STORE_ID

pytestmark = pytest.mark.anyio

README = Path(__file__).parent.parent / "README.md"
#: The read examples; the mutations write, and run in tests/sell/test_graphiql_examples.py.
EXAMPLES = [
    example
    for example in re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)
    if not example.lstrip().startswith("mutation")
]

#: Who asks each example, by its first root field, as the README's text around it says.
ASKED_AS = {
    "product": {"headers": {"accept-language": "en", "x-channel": "WEB"}},
    "basketQuote": {},
    "me": {"role": "customer", "customer_id": DEMO_CUSTOMER_ID},
    "customer": {"role": "associate", "store_id": HOME_STORE_ID},
}


def root_field(document: str) -> str:
    match = re.search(r"\{\s*(\w+)", document)
    assert match, document
    return match.group(1)


def test_the_readme_has_an_example_per_journey():
    assert sorted(root_field(example) for example in EXAMPLES) == sorted(ASKED_AS)


@pytest.mark.parametrize("example", EXAMPLES, ids=root_field)
async def test_a_readme_example_answers_without_errors(api, example):
    # when
    field = root_field(example)
    reply = await api.query(example, **ASKED_AS[field])

    # then
    assert reply.errors is None, reply.errors
    assert reply.data[field], f"the README's {field} example finds nothing in the demo data"
