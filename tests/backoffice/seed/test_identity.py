"""The seed's data does not change when how it is made does: digests recorded from the first seeder.

Many tests read seeded values (prices, stock, orders), so a faster or leaner seeder must
lay down exactly the rows the in-memory one did. These digests were computed from the
in-memory seeder (before it streamed) for each size and the tests' day and random seed;
a change to the data itself changes them on purpose, and says so in its commit.
"""

from __future__ import annotations

import pytest

from backoffice.db import create_engine
from backoffice.seed import seed
from tests.backoffice.seed.dumps import TODAY, Dump, digest, dump

pytestmark = pytest.mark.anyio

#: Per filled table, sha256 of its sorted rows (`dumps.digest`), as of TODAY, random seed 20261122.
RECORDED: dict[str, dict[str, str]] = {
    "small": {
        "crm_consent": "40ab78f8f8612f4c6cbef9a1bd30f668badba3e1cb471c2129ef837a6eefdf39",
        "crm_customer": "008496db80e10030d5277e637624580c4e45e4b95448e49ab9ccb4229eb22e45",
        "crm_identifier": "8d015bef39d60544d0ede6dd8b9f2a097c1bd86d2d6f7ead24b299c1910b8c3e",
        "crm_interaction": "b19a2adaa1d08b4e2bccb3b1958bc512d70e236d953ef67ebd3b5d3ec9ce73a1",
        "crm_voucher": "8af00c3a149ec9355214f724f87c96a687aa8e835247319512cb7add5f77c29e",
        "inv_location": "99cd9a4cac244fcb6eaa0e9f6b9ea6568c0edae5aeaff0f27aa42c5f62a07bcc",
        "inv_stock": "877828ffe990d533fc701a92579b042cf39915eca639b4d10febc863d9d0f644",
        "loy_account": "110e0c72ccb417b11c43cd6445ab4760ae3d1b209df100497f997197f24f7312",
        "loy_points_entry": "4575b3d932a392b8a1e1d2b0e06480f419fe2293a92fc717d650faed343d7399",
        "oms_fulfillment": "04576fbc415de23b91dc210316353c2dba0c118624a22b1256440efdd6a8fb86",
        "oms_history": "5074d8d5b3509383891284caf25fad06fcdea9e1fb3b4d13ce0e8dae96d5366c",
        "oms_line_discount": "e0b5a06976fc652b7311c51108150f71b4fda9d777abe9b075e7887f97c79b94",
        "oms_order": "b3f0c0c49bfcfa1aef5159f1f01c5e6b9602d28c0ffbb76a580b7f7018a891f0",
        "oms_order_line": "5d055685fc18b54ebae28e753ef5c1b2af782a1e2a9f1d6fb7d43c6136ff0292",
        "oms_payment": "5f71bac998fb25ec052422d4e7626f50b489d146ad8ac0f5178ec75a968c10e1",
        "oms_return": "f2d57015f07c0ace4aa367ee258d8b252e4a22263f5f7af9eb2401a9a586b6c7",
        "oms_return_line": "41652b2da11a2b64bf20b4a1ea7859dd12f33676b046bd16d87861674de0455c",
        "pim_category": "cbc48e5f2e0189f4ca3cdbe19c761433fbed960866c0990784d7dc16d5dcb8ec",
        "pim_product": "0560ff4c369ba63a78d2e6bd893f37be88f042f4c3cf9ea26344dc2e62d784ee",
        "pim_product_category": "62aa5836b963da9fcedf818978872b66f59783fc76e205fd3681c72656e164cd",
        "pim_variant": "8c22901ca34c2de15aa6f91aac7f75abeeef4648e56e55b1d89b5dad42796b77",
        "price_item": "d165ecc7f05e3c404a2bdf25f4810798d68fe13afc9890455583e901de3b4a31",
        "price_list_price": "c1a6928290c911d5021dd0b5f8929bd04dbf1ebda5fbbc79afe3669869851722",
        "price_promotion": "fc5752044a1fc5bb3301099f7fee0fdcbb4139662b156125d6b729bd7995fc31",
    },
    "demo": {
        "crm_consent": "c04aedd635e72c4cfd20f0bfc824ca08ac21d548949e4258a1caa656b1ac5917",
        "crm_customer": "64a56f5edb1d440b4121c76f6f40838d807690a6bad60271c935e9f3d69ab90d",
        "crm_identifier": "01942f05d0ae2f8fd2dcd0e6ae6095bdcfd1e9fe76102807ded480dc83a2e361",
        "crm_interaction": "ef44c1546144cab5d3a5b847540f86e121c7b43884d8f5478fc5b47c98829ff5",
        "crm_voucher": "a92203f8b3e512381c4a5eeb6620cce3d43895ad737e7abfa80f888eb5bc160b",
        "inv_location": "99cd9a4cac244fcb6eaa0e9f6b9ea6568c0edae5aeaff0f27aa42c5f62a07bcc",
        "inv_stock": "9b1ffe8ee912a82b17347c39acdded9cb423143292a14f861afc7c0fe07b8b2e",
        "loy_account": "943c26b1ddf12d9ec1b02b66cfcb3f7ba16f02fab3add8afbac9721035029cba",
        "loy_points_entry": "5e456c32fd958941ccef260581c20c5de12d234c6fbf8da188fdf00ab2726c99",
        "oms_fulfillment": "b4dbc443d8a352f5d4c73a6bd68c07303ac4e33eda86f4a74d37a2f3a115ecb3",
        "oms_history": "1e7dc848907e98b224be3777965ea9593826498fefc00192375c182b44920ad3",
        "oms_line_discount": "6d51b4aebb957883dd5d1e3e11703a66a3c9b0cc2b8130df61b37a82e4be47af",
        "oms_order": "20f67ee7952cbf841ee4d4fbac49380a531dc4ac0de9e6d7214e4892979b26a9",
        "oms_order_line": "97d81b5ba6042e9f8334c45bc7c2a51d5a3e17f09679e90c42b1e62350f4586f",
        "oms_payment": "69d6e7e2f4a2cd310f30e624c6b961d474de3fe5c2072b3b744f2586d69ccb7c",
        "oms_return": "d55e0b99bb1a032d0e89a785a85a988f05958865fe5fa5bc20d7b6e104990ebe",
        "oms_return_line": "a3f143efc32b98d30606c7eab8e0a67c0fa363d02e4ce794ade5d5830a9761ae",
        "pim_category": "cbc48e5f2e0189f4ca3cdbe19c761433fbed960866c0990784d7dc16d5dcb8ec",
        "pim_product": "06e91502ec5a05f94f2c232c9626b55592e2769073bae08daeb36a668dd877f2",
        "pim_product_category": "22349bbac15eabecd0c1275f00755e1c40bcf5c832af80b87d191ef569ca74e3",
        "pim_variant": "603218d1bef815c28bc776e24bd921f28c63ecfee702b6b8ddf1a201215083c4",
        "price_item": "80ae2c57e2e122b04b973410ce328cfbea5cbe3ed312fc7ba127f8f252ea2e69",
        "price_list_price": "83992d56345fcc820723839d8254d81c2347162aa029806028d9b505c13abe52",
        "price_promotion": "2628504402a5303ee8cf8e0697c5659be22343b67b5a08ef3e67e1d6282417ce",
    },
}


def filled(data: Dump) -> dict[str, str]:
    return {name: value for name, value in digest(data).items() if data[name]}


async def test_small_seed_is_the_recorded_one(small):
    assert filled(small[1]) == RECORDED["small"]


async def test_demo_seed_is_the_recorded_one(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        await seed(engine, size="demo", today=TODAY)
        data = await dump(engine)
    finally:
        await engine.dispose()

    assert filled(data) == RECORDED["demo"]


@pytest.mark.postgres
async def test_small_seed_into_postgresql_is_the_recorded_one(postgres_engine):
    await seed(postgres_engine, size="small", today=TODAY)

    assert filled(await dump(postgres_engine)) == RECORDED["small"]
