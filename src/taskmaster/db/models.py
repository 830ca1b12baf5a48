"""Every domain's models in one place, so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from taskmaster.auth import models as auth_models
from taskmaster.events import models as event_models
from taskmaster.idempotency import models as idempotency_models
from taskmaster.projects import models as project_models
from taskmaster.tasks import models as task_models

MODEL_MODULES = (auth_models, project_models, task_models, idempotency_models, event_models)
