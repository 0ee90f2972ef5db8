"""Client side of the MIB library: load the gateway's compiled index and resolve names.

Every service resolves names here, so that resolution is the same everywhere. The MIB
library work fills this package in: ``index.py`` (the in-memory index and resolution:
name <-> OID, instance index decoded by the table's INDEX, enum labels, display hints)
and ``client.py`` (fetching ``/internal/mibs/index.json`` with an ETag).
"""
