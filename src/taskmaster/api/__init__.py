"""HTTP: wire formats per API version over the same services."""
