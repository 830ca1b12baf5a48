"""What an operator sees of a running instance: request logs and ids (requests), readiness
and draining (readiness)."""
