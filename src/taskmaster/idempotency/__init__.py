"""Idempotency keys: a retried request gets the first answer, and its work is done once."""
