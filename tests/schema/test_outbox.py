"""The outbox's admin view: messages by state, the summary, and a dead letter sent again."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from ledger import NewMessage
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from resolvers.ids import to_global_id
from tests.api import CLOCK, Api, serve

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=30)

MESSAGES = """
query($states: [OutboxState!], $first: Int, $after: String) {
  outboxMessages(states: $states, first: $first, after: $after) {
    edges { cursor node { id kind key state attempts lastError sentAt } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
SUMMARY = "{ outboxSummary { pending failed deadLettered sent } }"
RETRY = """
mutation($id: ID!) { outboxMessageRetry(id: $id) {
  message { id key state attempts lastError } userErrors { code field message } } }
"""


class OutboxApi(Api):
    ids: list[int]
    runtime: object


@pytest.fixture
async def api(seeded_url, engine, tmp_path) -> AsyncIterator[OutboxApi]:
    """The gateway with a fresh database of its own, holding a sent, a dead and a pending message."""
    ledger_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    ledger_engine = create_ledger_engine(ledger_url)
    await upgrade(ledger_engine)
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_OUTBOX__IN_PROCESS": "false",  # the messages stay as the test leaves them
        },
    )
    runtime = await open_runtime(settings, engine=engine, ledger_engine=ledger_engine, clock=CLOCK)
    outbox = runtime.ledger.outbox
    ids = await outbox.enqueue(
        [
            NewMessage("loyalty.earn", "order:W-1:points", {"customer_id": "cu00001", "points": 5}),
            NewMessage("crm.notify", "return:r-1:mail", {"customer_id": "cu00002"}),
            NewMessage("loyalty.reverse", "refund:r-2:points", {"customer_id": "cu00003"}),
        ]
    )
    await outbox.claim("w1", limit=2, lease=LEASE)
    await outbox.ack(ids[0], "w1")
    await outbox.dead_letter(ids[1], "w1", "no handler for the kind 'crm.notify'")
    async with serve(create_app(settings, runtime=runtime), settings) as client:
        api = OutboxApi(client.client, settings)
        api.ids, api.runtime = ids, runtime
        yield api


def node_id(message_id: int) -> str:
    return to_global_id("OutboxMessage", str(message_id))


async def test_an_admin_sees_the_messages_by_state_without_their_payload(api):
    # when
    reply = await api.query(MESSAGES, {"states": ["DEAD_LETTERED", "SENT"]}, role="admin")

    # then
    assert reply.errors is None, reply.errors
    nodes = [edge["node"] for edge in reply.data["outboxMessages"]["edges"]]
    assert nodes == [
        {
            "id": node_id(api.ids[0]),
            "kind": "loyalty.earn",
            "key": "order:W-1:points",
            "state": "SENT",
            "attempts": 1,
            "lastError": None,
            "sentAt": nodes[0]["sentAt"],
        },
        {
            "id": node_id(api.ids[1]),
            "kind": "crm.notify",
            "key": "return:r-1:mail",
            "state": "DEAD_LETTERED",
            "attempts": 1,
            "lastError": "no handler for the kind 'crm.notify'",
            "sentAt": None,
        },
    ]
    assert nodes[0]["sentAt"] is not None
    summary = await api.query(SUMMARY, role="admin")
    assert summary.data == {
        "outboxSummary": {"pending": 1, "failed": 0, "deadLettered": 1, "sent": 1}
    }


async def test_an_admin_pages_through_every_message_oldest_first(api):
    first = await api.query(MESSAGES, {"first": 2}, role="admin")
    page = first.data["outboxMessages"]
    rest = await api.query(
        MESSAGES, {"first": 2, "after": page["pageInfo"]["endCursor"]}, role="admin"
    )

    assert [e["node"]["key"] for e in page["edges"]] == ["order:W-1:points", "return:r-1:mail"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["key"] for e in rest.data["outboxMessages"]["edges"]] == ["refund:r-2:points"]
    assert rest.data["outboxMessages"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest.data["outboxMessages"]["edges"][0]["cursor"],
    }
    bad = await api.query(MESSAGES, {"after": "not-a-cursor"}, role="admin")
    assert bad.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("role", "code"),
    [("customer", "FORBIDDEN"), ("service", "FORBIDDEN"), (None, "UNAUTHENTICATED")],
)
async def test_only_an_admin_sees_the_outbox(api, role, code):
    auth = {"role": role, "customer_id": "cu00001"} if role == "customer" else {"role": role}
    for document in (SUMMARY, MESSAGES):
        reply = await api.query(document, **auth)
        assert reply.data is None
        assert reply.codes == [code]

    refused = await api.query(RETRY, {"id": node_id(api.ids[1])}, **auth)

    assert refused.codes == [code]
    assert (await api.runtime.ledger.outbox.get([api.ids[1]]))[api.ids[1]].state == "dead"


async def test_an_admin_sends_a_dead_letter_again_and_it_is_audited(api):
    # when
    reply = await api.query(RETRY, {"id": node_id(api.ids[1])}, role="admin")

    # then
    assert reply.errors is None, reply.errors
    assert reply.data["outboxMessageRetry"] == {
        "message": {
            "id": node_id(api.ids[1]),
            "key": "return:r-1:mail",
            "state": "PENDING",
            "attempts": 0,
            "lastError": "no handler for the kind 'crm.notify'",
        },
        "userErrors": [],
    }
    [event] = (await api.runtime.ledger.audit.for_subjects("OutboxMessage", [str(api.ids[1])]))[
        str(api.ids[1])
    ]
    assert (event.action, event.role) == ("outbox.requeued", "admin")
    assert event.detail == (
        "crm.notify return:r-1:mail sent again after: no handler for the kind 'crm.notify'"
    )


@pytest.mark.parametrize(
    ("which", "code"),
    [
        ("sent", "OUTBOX_MESSAGE_NOT_DEAD"),
        ("pending", "OUTBOX_MESSAGE_NOT_DEAD"),
        ("unknown", "OUTBOX_MESSAGE_NOT_FOUND"),
    ],
)
async def test_only_a_dead_letter_is_sent_again(api, which, code):
    message_id = {"sent": api.ids[0], "pending": api.ids[2], "unknown": 999_999}[which]

    reply = await api.query(RETRY, {"id": node_id(message_id)}, role="admin")

    assert reply.errors is None, reply.errors
    payload = reply.data["outboxMessageRetry"]
    assert payload["message"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, ["id"])]
