"""What an operator sees of a running instance: request logs and ids (requests), metrics
(metrics), traces (tracing, otel), readiness and draining (readiness)."""
