"""Every v1 operation as OpenAPI knows it: declarations, not handlers.

v1's handlers (the fast lane's tasks, the auth and session routers) read bodies leniently
and write the MVP's envelope by hand, byte for byte as the MVP did; rewriting them onto
Pydantic would change those bytes. So v1's document comes from these declarations instead:
FastAPI reads parameters, bodies, answers and headers from their signatures. The snapshot
tests hold every frozen answer to its declaration, and the contract tests every served route
to one, so a declaration that drifts from its handler fails a test.
"""

from __future__ import annotations

from fastapi import APIRouter

from taskmaster.api.v1.contract import accounts, tasks

router = APIRouter()
for part in (accounts.auth, accounts.sessions, tasks.router):
    router.include_router(part)
