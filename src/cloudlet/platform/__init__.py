"""Platform services every AWS service shares: store, clock and supervisor."""
