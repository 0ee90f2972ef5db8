"""Net-SNMP's command-line tools as the independent peer, run with argument lists.

Never a shell: every value (community, OID, var-bind) is one argv element. Every call
has a wall-clock timeout on top of Net-SNMP's own per-request timeout and retries, so a
hung tool fails the test instead of the whole run. Tools print numeric OIDs (``-On``)
unless the caller asks otherwise, so results compare exactly.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tests.e2e.endpoints import Endpoint

TOOLS = (
    "snmpget",
    "snmpgetnext",
    "snmpwalk",
    "snmpbulkwalk",
    "snmpbulkget",
    "snmpset",
    "snmptrap",
    "snmpinform",
    "snmptable",
    "snmptranslate",
)

# Net-SNMP writes persistent state (and creates directories) under /var/lib/snmp by
# default; point it at a private directory so the tools work unprivileged and leave
# nothing behind between runs.
_PERSISTENT_DIR = tempfile.mkdtemp(prefix="snmplab-e2e-netsnmp-")
atexit.register(shutil.rmtree, _PERSISTENT_DIR, ignore_errors=True)


class ToolMissing(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class ToolResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    started: float  # time.monotonic() just before the process was spawned
    elapsed: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def check(self) -> ToolResult:
        """Raise with the whole command line and its output unless it exited 0."""
        if self.returncode != 0:
            raise AssertionError(
                f"{' '.join(self.argv)} exited {self.returncode}\n"
                f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
            )
        return self


@dataclass(frozen=True, slots=True)
class VarBind:
    """One line of ``-On`` output: ``.1.3.6.1.2.1.1.1.0 = STRING: "text"``."""

    oid: str  # without the leading dot
    type: str  # Net-SNMP's type label: STRING, INTEGER, Timeticks, Counter32, OID, ...
    value: str  # the text after "TYPE: " as printed


def tool_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNMP", "MIB"))}
    env["SNMP_PERSISTENT_DIR"] = _PERSISTENT_DIR
    # An empty config path: no ~/.snmp/snmp.conf or /etc/snmp/snmp.conf defaults change
    # what the peer sends or prints.
    env["SNMPCONFPATH"] = _PERSISTENT_DIR
    # No MIB loading: the peer works with numeric OIDs only (-On), which is what we
    # compare, and it stays quiet and fast without Debian's non-free MIB files.
    env["MIBS"] = ""
    return env


def require_tools() -> None:
    missing = [t for t in ("snmpget", "snmpwalk", "snmpbulkwalk", "snmptrap", "snmpinform")
               if shutil.which(t) is None]  # fmt: skip
    if missing:
        raise ToolMissing(
            f"Net-SNMP tools missing: {', '.join(missing)}; install the Debian package "
            "`snmp` (tools/install-system-deps.sh does)"
        )


def run_tool(tool: str, args: Sequence[str], *, timeout: float = 15.0) -> ToolResult:
    """Run one Net-SNMP tool; never raises on a non-zero exit (see ``ToolResult.check``)."""
    if tool not in TOOLS:
        raise ValueError(f"{tool!r} is not a Net-SNMP tool this harness runs")
    argv = (tool, *args)
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=tool_env(),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ToolMissing(f"{tool} not found; install the Debian package `snmp`") from exc
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"{' '.join(argv)} did not finish within {timeout} s\n"
            f"stdout so far: {exc.stdout!r}\nstderr so far: {exc.stderr!r}"
        ) from exc
    return ToolResult(argv, proc.returncode, proc.stdout, proc.stderr, started,
                      time.monotonic() - started)  # fmt: skip


Binding = tuple[str, str, str]  # (numeric oid, Net-SNMP type letter i/u/c/s/x/d/n/o/t/a, value)


def _flatten(varbinds: Sequence[Binding]) -> list[str]:
    out: list[str] = []
    for oid, type_letter, value in varbinds:
        out += [oid, type_letter, value]
    return out


@dataclass(frozen=True, slots=True)
class V3User:
    """SNMPv3 USM credentials as Net-SNMP options (``-v3 -u ... -l ... -a/-A -x/-X``)."""

    name: str
    auth_protocol: str | None = None  # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
    auth_key: str | None = None
    priv_protocol: str | None = None  # DES, AES, AES-192, AES-256
    priv_key: str | None = None
    context: str | None = None

    def args(self) -> list[str]:
        out = ["-v3", "-u", self.name]
        if self.priv_protocol:
            out += ["-l", "authPriv"]
        elif self.auth_protocol:
            out += ["-l", "authNoPriv"]
        else:
            out += ["-l", "noAuthNoPriv"]
        if self.auth_protocol:
            out += ["-a", self.auth_protocol, "-A", self.auth_key or ""]
        if self.priv_protocol:
            out += ["-x", self.priv_protocol, "-X", self.priv_key or ""]
        if self.context:
            out += ["-n", self.context]
        return out


def _common(
    version: str,
    community: str,
    timeout: float,
    retries: int,
    output: str,
    v3: V3User | None = None,
) -> list[str]:
    security = v3.args() if v3 is not None else [f"-v{version}", "-c", community]
    return [*security, "-t", str(timeout), "-r", str(retries), f"-O{output}"]


def snmpget(
    agent: Endpoint,
    *oids: str,
    version: str = "2c",
    community: str = "public",
    timeout: float = 1.0,
    retries: int = 1,
    output: str = "n",
    v3: V3User | None = None,
    next_: bool = False,
) -> ToolResult:
    """``snmpget`` (or, with ``next_``, ``snmpgetnext``) of one or more OIDs."""
    args = [*_common(version, community, timeout, retries, output, v3), agent.netsnmp, *oids]
    tool = "snmpgetnext" if next_ else "snmpget"
    return run_tool(tool, args, timeout=timeout * (retries + 1) + 10)


def snmpset(
    agent: Endpoint,
    varbinds: Sequence[Binding],
    *,
    version: str = "2c",
    community: str = "private",
    timeout: float = 1.0,
    retries: int = 1,
    output: str = "n",
    v3: V3User | None = None,
) -> ToolResult:
    """``snmpset agent oid type value ...`` (types as Net-SNMP letters: i u c s x d n o t a)."""
    args = [*_common(version, community, timeout, retries, output, v3), agent.netsnmp]
    args += _flatten(varbinds)
    return run_tool("snmpset", args, timeout=timeout * (retries + 1) + 10)


def snmpwalk(
    agent: Endpoint,
    oid: str = "1.3.6.1.2.1",
    *,
    version: str = "2c",
    community: str = "public",
    timeout: float = 1.0,
    retries: int = 1,
    output: str = "n",
    bulk: bool = False,
    max_repetitions: int | None = None,
    wall_timeout: float = 60.0,
    v3: V3User | None = None,
) -> ToolResult:
    """``snmpwalk`` (GETNEXT) or, with ``bulk``, ``snmpbulkwalk`` (GETBULK) of a subtree."""
    args = _common(version, community, timeout, retries, output, v3)
    if bulk and max_repetitions is not None:
        args += ["-Cr", str(max_repetitions)]
    args += [agent.netsnmp, oid]
    return run_tool("snmpbulkwalk" if bulk else "snmpwalk", args, timeout=wall_timeout)


def snmpbulkwalk(agent: Endpoint, oid: str = "1.3.6.1.2.1", **kwargs: object) -> ToolResult:
    return snmpwalk(agent, oid, bulk=True, **kwargs)  # type: ignore[arg-type]


def snmptrap_v2c(
    receiver: Endpoint,
    trap_oid: str,
    varbinds: Sequence[Binding] = (),
    *,
    community: str = "public",
    uptime: str = "",
    v3: V3User | None = None,
    engine_id: str | None = None,
) -> ToolResult:
    """A v2c TRAP: ``snmptrap -v2c -c C agent uptime trapOID [oid type value]...``.

    An empty ``uptime`` lets snmptrap send its own host uptime. With ``v3`` it is an
    SNMPv3 TRAP from ``engine_id`` (hex; Net-SNMP's own engine ID when None).
    """
    security = v3.args() if v3 is not None else ["-v2c", "-c", community]
    if v3 is not None and engine_id:
        security += ["-e", engine_id]
    args = [*security, receiver.netsnmp, uptime, trap_oid, *_flatten(varbinds)]
    return run_tool("snmptrap", args, timeout=10)


def snmptrap_v1(
    receiver: Endpoint,
    enterprise: str,
    generic: int,
    specific: int,
    varbinds: Sequence[Binding] = (),
    *,
    community: str = "public",
    agent_addr: str = "",
    uptime: str = "",
) -> ToolResult:
    """A v1 Trap-PDU: ``snmptrap -v1 -c C agent enterprise agent-addr generic specific
    uptime [oid type value]...``."""
    args = ["-v1", "-c", community, receiver.netsnmp, enterprise, agent_addr,
            str(generic), str(specific), uptime, *_flatten(varbinds)]  # fmt: skip
    return run_tool("snmptrap", args, timeout=10)


def snmpinform(
    receiver: Endpoint,
    trap_oid: str,
    varbinds: Sequence[Binding] = (),
    *,
    community: str = "public",
    timeout: float = 2.0,
    retries: int = 1,
    uptime: str = "",
    v3: V3User | None = None,
) -> ToolResult:
    """A v2c (or, with ``v3``, SNMPv3) INFORM; exit code 0 means the receiver acknowledged
    it with a Response-PDU."""
    security = v3.args() if v3 is not None else ["-v2c", "-c", community]
    args = [*security, "-t", str(timeout), "-r", str(retries), receiver.netsnmp,
            uptime, trap_oid, *_flatten(varbinds)]  # fmt: skip
    return run_tool("snmpinform", args, timeout=timeout * (retries + 1) + 10)


_LINE = re.compile(r"^\.?(?P<oid>\d+(?:\.\d+)*) = (?:(?P<type>[A-Za-z0-9-]+): ?)?(?P<value>.*)$")


def parse_numeric(stdout: str) -> list[VarBind]:
    """Parse ``-On`` output; a line that does not start a var-bind continues the previous
    value (Net-SNMP prints multi-line strings as they are)."""
    out: list[VarBind] = []
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match is None:
            if out and line:
                prev = out[-1]
                out[-1] = VarBind(prev.oid, prev.type, prev.value + "\n" + line)
            continue
        type_ = match["type"] or ""
        value = match["value"]
        if not type_ and value.startswith('""'):
            type_ = "STRING"  # an empty string prints as `= ""`
        out.append(VarBind(match["oid"], type_, value))
    return out


def walk_lines(result: ToolResult) -> list[VarBind]:
    """The var-binds of a successful walk, ignoring the end-of-MIB marker line."""
    result.check()
    return [
        vb for vb in parse_numeric(result.stdout) if not vb.value.startswith("No more variables")
    ]


# Net-SNMP's printed type label -> the SMI type name the snmplab API uses.
SMI_TYPES = {
    "INTEGER": "Integer32",
    "STRING": "OctetString",
    "Hex-STRING": "OctetString",
    "OID": "ObjectIdentifier",
    "Timeticks": "TimeTicks",
    "Counter32": "Counter32",
    "Gauge32": "Gauge32",
    "Counter64": "Counter64",
    "IpAddress": "IpAddress",
}


def canonical(vb: VarBind) -> tuple[str, int | str]:
    """``(SMI type, value)`` of a ``-On`` var-bind: integers as int, octets as lowercase
    hex, OIDs dotted without the leading dot -- the shape of the API's ``raw`` field."""
    smi = SMI_TYPES.get(vb.type)
    if smi is None:
        raise ValueError(f"no canonical form for Net-SNMP type {vb.type!r}: {vb}")
    text = vb.value
    if vb.type == "STRING":
        if not (text.startswith('"') and text.endswith('"')):
            raise ValueError(f"unquoted STRING {text!r}")
        body = re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.S)
        return smi, body.encode("latin-1").hex()
    if vb.type == "Hex-STRING":
        return smi, bytes.fromhex("".join(text.split())).hex()
    if vb.type == "OID":
        return smi, text.lstrip(".")
    if vb.type == "IpAddress":
        return smi, text
    if vb.type == "Timeticks":
        return smi, int(text.split(")")[0].lstrip("("))
    return smi, int(text.split("(")[-1].rstrip(")")) if "(" in text else int(text)
