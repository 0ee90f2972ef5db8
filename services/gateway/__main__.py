"""``python -m services.gateway``: run the gateway from ``SNMPLAB_*`` settings.

``python -m services.gateway reset-admin`` sets the account from ``SNMPLAB_ADMIN_USERNAME``
and ``SNMPLAB_ADMIN_PASSWORD`` again (a forgotten password) and ends every session.
"""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from services.common.config import ConfigError
from services.gateway import log_redact
from services.gateway.config import GatewaySettings
from services.gateway.events_listener import parse_listen


def load_settings() -> GatewaySettings:
    """Settings, or a short message naming the variable to fix (no traceback wall)."""
    try:
        settings = GatewaySettings()
        settings.secret_bytes()
        parse_listen(settings.events_listen)
    except ValidationError as exc:
        lines = [
            f"  SNMPLAB_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        ]
        raise SystemExit("snmplab gateway: invalid settings:\n" + "\n".join(lines)) from None
    except (ConfigError, ValueError) as exc:
        raise SystemExit(f"snmplab gateway: {exc}") from None
    return settings


def server_config(app: object, settings: GatewaySettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level=settings.log_level.lower(),
        # Compressing each frame costs more CPU than a trap storm can afford.
        ws_per_message_deflate=False,
        server_header=False,
        # Client addresses (for the login rate limit) from X-Forwarded-For only when the
        # peer is a proxy we were told to trust.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        timeout_graceful_shutdown=5,
    )


def reset_admin(settings: GatewaySettings) -> None:
    import time

    from services.gateway.auth.passwords import hash_password
    from services.gateway.auth.store import GatewayStore

    store = GatewayStore(settings.gateway_data_dir / "gateway.sqlite3")
    try:
        store.set_user(
            settings.admin_username,
            hash_password(settings.admin_password.get_secret_value()),
            time.time(),
        )
        store.delete_sessions(t for t, *_ in store.load_sessions())
    finally:
        store.close()
    print(
        f"snmplab gateway: account {settings.admin_username!r} set from "
        "SNMPLAB_ADMIN_USERNAME/SNMPLAB_ADMIN_PASSWORD; every session ended "
        "(restart a running gateway to drop the sessions it holds)."
    )


def main() -> None:
    settings = load_settings()
    args = sys.argv[1:]
    if args == ["reset-admin"]:
        reset_admin(settings)
        return
    if args:
        raise SystemExit(f"snmplab gateway: unknown arguments {args}; the only one is reset-admin")
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from services.gateway.app import create_app

    app = create_app(settings)
    try:
        app.state.gateway.events.bind()
    except OSError as exc:
        raise SystemExit(
            f"snmplab gateway: cannot listen for events on {settings.events_listen}: "
            f"{exc.strerror or exc}. Set SNMPLAB_EVENTS_LISTEN to a free host:port."
        ) from None
    server = uvicorn.Server(server_config(app, settings))
    log_redact.install()  # after uvicorn configured its loggers
    server.run()
    if not server.started:
        sys.exit(1)


if __name__ == "__main__":
    main()
