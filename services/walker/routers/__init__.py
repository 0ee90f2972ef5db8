"""HTTP routes of the walker's control API, one module per area."""
