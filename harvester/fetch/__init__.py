"""Fetching: downloader middlewares that budget, record and (later) unblock requests."""
