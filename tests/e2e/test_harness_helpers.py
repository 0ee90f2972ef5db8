"""The harness's own helpers, without a stack: what the e2e tests rely on to read results."""

from __future__ import annotations

import pytest

from tests.e2e import forged_events, netsnmp, raw_udp
from tests.e2e.endpoints import Endpoint, deployment_from_env

pytestmark = pytest.mark.e2e


def test_parse_numeric_reads_every_net_snmp_value_shape() -> None:
    out = (
        '.1.3.6.1.2.1.1.1.0 = STRING: "two\n'
        'lines"\n'
        ".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.8072.3.2.10\n"
        ".1.3.6.1.2.1.1.3.0 = Timeticks: (4242) 0:00:42.42\n"
        '.1.3.6.1.2.1.1.4.0 = ""\n'
        ".1.3.6.1.2.1.2.2.1.6.2 = Hex-STRING: 00 1A 2B 3C 4D 5E \n"
        ".1.3.6.1.2.1.2.2.1.5.1 = Gauge32: 1000000000\n"
        ".1.3.6.1.2.1.4.20.1.1.10.0.0.1 = IpAddress: 10.0.0.1\n"
        ".1.3.6.1.2.1.31.1.1.1.6.1 = Counter64: 18446744073709551615\n"
        ".1.3.6.1.2.1.2.2.1.8.1 = INTEGER: 1\n"
    )
    got = [(vb.oid, *netsnmp.canonical(vb)) for vb in netsnmp.parse_numeric(out)]
    assert got == [
        ("1.3.6.1.2.1.1.1.0", "OctetString", b"two\nlines".hex()),
        ("1.3.6.1.2.1.1.2.0", "ObjectIdentifier", "1.3.6.1.4.1.8072.3.2.10"),
        ("1.3.6.1.2.1.1.3.0", "TimeTicks", 4242),
        ("1.3.6.1.2.1.1.4.0", "OctetString", ""),
        ("1.3.6.1.2.1.2.2.1.6.2", "OctetString", "001a2b3c4d5e"),
        ("1.3.6.1.2.1.2.2.1.5.1", "Gauge32", 1000000000),
        ("1.3.6.1.2.1.4.20.1.1.10.0.0.1", "IpAddress", "10.0.0.1"),
        ("1.3.6.1.2.1.31.1.1.1.6.1", "Counter64", 2**64 - 1),
        ("1.3.6.1.2.1.2.2.1.8.1", "Integer32", 1),
    ]


def test_escaped_quotes_in_strings_are_unescaped() -> None:
    (vb,) = netsnmp.parse_numeric('.1.3.6.1.2.1.1.6.0 = STRING: "a \\"b\\" \\\\ c"\n')
    assert netsnmp.canonical(vb) == ("OctetString", b'a "b" \\ c'.hex())


def test_hand_built_get_request_is_the_rfc_encoding() -> None:
    packet = raw_udp.v2c_get("public", 0x01020304, "1.3.6.1.2.1.1.3.0")
    assert packet.hex() == (
        "302902010104067075626c6963a01c020401020304020100020100300e300c06082b060102010103000500"
    )
    response = bytes.fromhex(
        "302902010104067075626c6963a21c020230390201000201003010300e06082b06010201010300430216d6"
    )
    assert raw_udp.response_request_id(response) == 0x3039
    assert raw_udp.response_request_id(packet) is None  # a request is not a response


def test_forged_events_follow_the_documented_frame() -> None:
    datagram = forged_events.signed_with(b"k", "trapd", "trap", {"x": 1}, seq=7)
    assert datagram.startswith(b'{"sig":"') and datagram[72:74] == b'",'
    assert b'"svc":"trapd","seq":7,"type":"trap"' in datagram
    assert not forged_events.unsigned("trapd", "trap", {}).startswith(b'{"sig"')


def test_endpoints_and_deployment_variables() -> None:
    assert Endpoint.parse("127.0.0.1:1061").netsnmp == "udp:127.0.0.1:1061"
    assert Endpoint.parse("[::1]:1162").netsnmp == "udp6:[::1]:1162"
    assert deployment_from_env({}) is None
    with pytest.raises(ValueError, match="SNMPLAB_E2E_SIMULATOR"):
        deployment_from_env({"SNMPLAB_E2E_GATEWAY_URL": "http://h:1"})
    dep = deployment_from_env(
        {
            "SNMPLAB_E2E_GATEWAY_URL": "https://h:8443/",
            "SNMPLAB_E2E_SIMULATOR": "h:11061",
            "SNMPLAB_E2E_TRAPD": "h:11162",
            "SNMPLAB_E2E_SIMULATOR_FROM_WALKER": "simulator:1061",
        }
    )
    assert dep is not None and dep.ws_url == "wss://h:8443/api/ws"
    assert dep.simulator_from_walker == Endpoint("simulator", 1061)
    assert dep.trapd_from_walker == dep.trapd and dep.events is None
    assert (dep.username, dep.password) == ("admin", "admin123")
