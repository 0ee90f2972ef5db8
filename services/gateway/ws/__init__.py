"""WebSocket fan-out: per-client bounded queues, contract messages, the ``/api/ws`` session."""
