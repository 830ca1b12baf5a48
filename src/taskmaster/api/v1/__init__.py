"""API v1: the MVP's wire contract (frozen), served at /api/v1 and /api."""
