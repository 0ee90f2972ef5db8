"""Access to the one :class:`TrapDaemon` of the app from route handlers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.trapd.daemon import TrapDaemon


def get_daemon(request: Request) -> TrapDaemon:
    daemon: TrapDaemon = request.app.state.daemon
    return daemon


Daemon = Annotated[TrapDaemon, Depends(get_daemon)]
