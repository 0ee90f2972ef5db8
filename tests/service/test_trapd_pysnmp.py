"""pysnmp as a second, independent sender: v2c and v3 traps and informs to trapd,
including the AES-192/256 key extensions of both camps (Blumenthal and Reeder/Cisco)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pysnmp.entity import config as pconfig
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    NotificationType,
    ObjectIdentity,
    ObjectType,
    OctetString,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    send_notification,
)

from tests.service.trapd_harness import HOST, EventsSink, Trapd, start_trapd

AUTH = {
    "MD5": pconfig.USM_AUTH_HMAC96_MD5,
    "SHA": pconfig.USM_AUTH_HMAC96_SHA,
    "SHA-256": pconfig.USM_AUTH_HMAC192_SHA256,
    "SHA-512": pconfig.USM_AUTH_HMAC384_SHA512,
}
PRIV = {
    "DES": pconfig.USM_PRIV_CBC56_DES,
    "AES": pconfig.USM_PRIV_CFB128_AES,
    "AES-192": pconfig.USM_PRIV_CFB192_AES_BLUMENTHAL,
    "AES-256": pconfig.USM_PRIV_CFB256_AES_BLUMENTHAL,
    "AES-192-C": pconfig.USM_PRIV_CFB192_AES,
    "AES-256-C": pconfig.USM_PRIV_CFB256_AES,
}
CASES = [
    ("MD5", "DES"),
    ("SHA", "AES"),
    ("SHA-256", "AES-192"),
    ("SHA-512", "AES-256"),
    ("SHA", "AES-192-C"),
    ("MD5", "AES-256-C"),
]


@pytest.fixture(scope="module")
def trapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trapd]:
    sink = EventsSink()
    d = start_trapd(Path(tmp_path_factory.mktemp("pysnmp")) / "trapd", sink)
    for auth, priv in CASES:
        r = d.post(
            "/traps/users",
            json={"name": f"py-{auth}-{priv}".lower(), "auth_protocol": auth,
                  "auth_passphrase": "py-auth-pass", "priv_protocol": priv,
                  "priv_passphrase": "py-priv-pass"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
    yield d
    d.stop()
    sink.close()


async def notify(d: Trapd, auth_data: CommunityData | UsmUserData, kind: str, marker: str) -> None:
    engine = SnmpEngine()
    target = await UdpTransportTarget.create((HOST, d.snmp_port), timeout=3, retries=1)
    err, status, _idx, _vbs = await send_notification(
        engine,
        auth_data,
        target,
        ContextData(),
        kind,
        NotificationType(ObjectIdentity("1.3.6.1.6.3.1.1.5.3")).add_varbinds(
            ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0"), OctetString(marker))
        ),
    )
    engine.close_dispatcher()
    assert err is None and not status, (err, status)


@pytest.mark.parametrize("kind", ["trap", "inform"])
async def test_v2c_from_pysnmp(trapd: Trapd, kind: str) -> None:
    marker = f"pysnmp-v2c-{kind}"
    await notify(trapd, CommunityData("public", mpModel=1), kind, marker)
    (rec,) = trapd.wait_traps(1, q=marker)
    assert rec["version"] == "v2c" and rec["pdu"] == kind
    assert rec["trap_oid"] == "1.3.6.1.6.3.1.1.5.3"


@pytest.mark.parametrize(("auth", "priv"), CASES)
@pytest.mark.parametrize("kind", ["trap", "inform"])
async def test_v3_from_pysnmp(trapd: Trapd, kind: str, auth: str, priv: str) -> None:
    marker = f"pysnmp-{kind}-{auth}-{priv}"
    user = UsmUserData(
        f"py-{auth}-{priv}".lower(),
        "py-auth-pass",
        "py-priv-pass",
        authProtocol=AUTH[auth],
        privProtocol=PRIV[priv],
    )
    await notify(trapd, user, kind, marker)
    (rec,) = trapd.wait_traps(1, q=marker)
    assert rec["version"] == "v3" and rec["pdu"] == kind
    assert rec["v3"]["security_level"] == "authPriv"
    assert rec["varbinds"][-1]["value"] == marker
