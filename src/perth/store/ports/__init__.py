"""The store's ports: one small Protocol per capability, in that capability's terms."""
