"""Shared kernel: base models, money, the domain-event outbox, errors, request context."""
