"""Receiving: receipt IP filters (rules, then the v1 actions)."""
