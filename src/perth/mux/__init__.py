"""Terminal workspaces (C6): multiplexer drivers, snapshots and restore."""
