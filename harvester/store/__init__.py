"""Persistence: the only stage that touches the database."""
