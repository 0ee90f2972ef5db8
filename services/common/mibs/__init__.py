"""Client side of the MIB library: load the gateway's compiled index and resolve names.

Every service resolves names here, so that resolution is the same everywhere:

- :mod:`services.common.mibs.index` -- :class:`~services.common.mibs.index.MibIndex`: OID ->
  ``MODULE::name.index`` (index decoded by the table's INDEX), name -> OID, enum labels,
  display hints, notifications and their objects. Dict lookups with a per-OID cache.
- :mod:`services.common.mibs.client` -- :class:`~services.common.mibs.client.MibIndexFollower`
  keeps the latest index from ``GET /internal/mibs/index.json`` (ETag, retries, 60 s
  fallback refresh) and :func:`~services.common.mibs.client.mibs_changed_router` serves the
  gateway's ``POST /mibs/changed`` notice.

See ``docs/mibs.md`` for a worked example.
"""
