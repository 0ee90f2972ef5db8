"""Issue 2: services send every event to every gateway replica, so clients of either see it."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e import netsnmp
from tests.e2e.api_client import new_token
from tests.e2e.endpoints import StackAddresses
from tests.e2e.ws_client import WsClient

pytestmark = pytest.mark.e2e

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"


def test_a_trap_reaches_clients_of_both_gateway_replicas(
    stack: StackAddresses, gateway_replica: StackAddresses
) -> None:
    clients = [WsClient.with_token(gw.ws_url, new_token(gw)) for gw in (stack, gateway_replica)]
    try:
        for client in clients:
            state = client.wait_for("full_state", timeout=5).json
            # The replica pulls the same services' state.
            assert state["simulator"]["running"] is True and state["traps"]["running"] is True
        marks = [c.mark() for c in clients]
        index = 1000 + secrets.randbelow(2_000_000_000)
        oid = f"{IF_INDEX}.{index}"
        netsnmp.snmptrap_v2c(stack.trapd, LINK_DOWN, [(oid, "i", str(index))]).check()
        traps = [
            c.wait_for(
                "trap",
                lambda m: any(vb.get("oid") == oid for vb in m["trap"]["varbinds"]),
                timeout=5,
                since=mark,
            ).json["trap"]
            for c, mark in zip(clients, marks, strict=True)
        ]
        assert traps[0] == traps[1], "both replicas push the same record"
    finally:
        for client in clients:
            client.close()
