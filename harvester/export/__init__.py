"""Exports of the store: the fixed JSONL record first (interfaces.md)."""
