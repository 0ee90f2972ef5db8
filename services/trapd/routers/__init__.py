"""The trap daemon's control API routes (internal; the gateway forwards ``/api/traps/...``)."""
