"""API v2: resources as bodies, RFC 9457 problems, cursors, merge patches, ETags."""
