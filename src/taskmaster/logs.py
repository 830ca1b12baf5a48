"""Structured logs: readable in development, JSON lines everywhere else."""

from __future__ import annotations

import logging

import structlog

from taskmaster.config import Environment, Settings
from taskmaster.observe.requests import add_request_id


def log_level(settings: Settings) -> int:
    return logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)


def configure_logging(settings: Settings) -> None:
    level = log_level(settings)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if settings.environment is not Environment.DEVELOPMENT
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
