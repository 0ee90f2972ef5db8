"""Fetch missing MIB modules from approved sources (off by default).

Sources are the previous product's URL templates with ``@mib@`` where the module name goes
(``SNMPLAB_MIB_REMOTE_SOURCES``, editable in the settings). Only ``https`` is used; a host
that resolves to a private, loopback, link-local or otherwise non-public address is
refused, redirects are followed only a few times and each hop is checked again, and a
body is read only up to the per-file size limit. A fetched text must be the module asked
for. Fetched modules are saved into the user's library like uploads.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from services.gateway.mibs import scan

if TYPE_CHECKING:
    from services.gateway.mibs.library import LibraryCore

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
MAX_REDIRECTS = 3
MAX_MODULES = 50
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class FetchRefused(Exception):
    """A source URL that may not be fetched; the message says why."""


def sources(core: LibraryCore) -> list[str]:
    raw = str(getattr(core.settings, "mib_remote_sources", "") or "")
    return [s.strip() for s in raw.split(",") if s.strip()]


def check_url(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise FetchRefused(f"{url}: only https sources are allowed")
    if not parts.hostname:
        raise FetchRefused(f"{url}: no host")
    return parts.hostname, parts.port or 443


def check_addresses(host: str, addresses: list[str]) -> None:
    if not addresses:
        raise FetchRefused(f"{host} does not resolve")
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchRefused(f"{host} resolves to {ip}, a non-public address; refused")


async def resolve_public(host: str, port: int) -> None:
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise FetchRefused(f"{host} does not resolve: {exc}") from None
        addresses = [str(info[4][0]) for info in infos]
    check_addresses(host, addresses)


async def fetch_text(client: httpx.AsyncClient, url: str, max_bytes: int) -> str:
    for _ in range(MAX_REDIRECTS + 1):
        host, port = check_url(url)
        await resolve_public(host, port)
        async with client.stream("GET", url) as resp:
            if resp.status_code in (301, 302, 303, 307, 308):
                location = resp.headers.get("location")
                if not location:
                    raise FetchRefused(f"{url}: redirect without a location")
                url = urljoin(url, location)
                continue
            if resp.status_code != 200:
                raise FetchRefused(f"{url}: HTTP {resp.status_code}")
            data = bytearray()
            async for chunk in resp.aiter_bytes():
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise FetchRefused(f"{url}: larger than {max_bytes} bytes")
            return scan.decode_text(bytes(data))
    raise FetchRefused(f"{url}: more than {MAX_REDIRECTS} redirects")


async def fetch_dependencies(
    core: LibraryCore, names: list[str], transport: httpx.AsyncBaseTransport | None = None
) -> dict[str, Any]:
    """Fetch ``names`` and, recursively, what they import that the library lacks."""
    downloaded: list[dict[str, Any]] = []
    cached: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    known = set(core.standard_names()) | set(core.user_modules())
    known |= set(await asyncio.to_thread(_user_module_names, core))
    templates = sources(core)
    queue = list(dict.fromkeys(names))
    seen: set[str] = set()
    max_bytes = core.limit("mib_max_file_bytes", 4 * 1024 * 1024)
    async with httpx.AsyncClient(
        timeout=TIMEOUT, follow_redirects=False, transport=transport
    ) as client:
        while queue and len(seen) < MAX_MODULES:
            name = queue.pop(0)
            if name in seen:
                continue
            seen.add(name)
            if not NAME.match(name):
                failed.append(
                    {
                        "status": "failed",
                        "mib_name": name,
                        "errors": ["not a valid MIB module name"],
                    }
                )
                continue
            if name in known:
                cached.append(
                    {"status": "cached", "mib_name": name, "filename": None, "imports": []}
                )
                continue
            errors: list[str] = []
            if not templates:
                errors.append("no remote sources are configured")
            for template in templates:
                url = template.replace("@mib@", quote(name, safe=""))
                try:
                    text = await fetch_text(client, url, max_bytes)
                except (FetchRefused, httpx.HTTPError) as exc:
                    errors.append(str(exc) or type(exc).__name__)
                    continue
                mods = scan.scan(text)
                if not any(m.name == name for m in mods):
                    errors.append(f"{url}: the text does not define module {name}")
                    continue
                filename = f"{name}.mib"
                path = core.files_dir / filename
                try:
                    await asyncio.to_thread(_save_new, path, text.encode())
                except FetchRefused as exc:
                    errors.append(str(exc))
                    continue
                imports = sorted({d for m in mods for d in m.imports})
                downloaded.append(
                    {
                        "status": "downloaded",
                        "mib_name": name,
                        "filename": filename,
                        "source": url,
                        "imports": imports,
                    }
                )
                known.add(name)
                queue.extend(d for d in imports if d not in known)
                break
            else:
                failed.append({"status": "failed", "mib_name": name, "errors": errors})
    return {"requested": names, "downloaded": downloaded, "cached": cached, "failed": failed}


def _user_module_names(core: LibraryCore) -> list[str]:
    from services.gateway.mibs.validate import existing_user_modules

    return list(existing_user_modules(core.files_dir))


def _save_new(path: Any, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise FetchRefused(f"{path.name} already exists in the library")
    path.write_bytes(data)


async def auto_fetch(core: LibraryCore, missing: list[str]) -> dict[str, Any]:
    """The upload/reload hook: fetch missing modules only when auto-fetch is enabled."""
    enabled = bool(getattr(core.settings, "mib_auto_fetch", False))
    if not enabled or not missing:
        return {"enabled": enabled, "requested": [], "downloaded": [], "cached": [], "failed": []}
    result = await fetch_dependencies(core, missing)
    return {"enabled": True, **result}
