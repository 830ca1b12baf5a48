"""How seeding tells its progress: to no one, or on a bar (rows written, rate, time left)."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Task as ProgressTask
from rich.text import Text


class Report(Protocol):
    def advance(self, rows: int) -> None:
        """`rows` more rows are written."""

    def stage(self, description: str) -> None:
        """Seeding moved on to `description`."""


class Quiet:
    """A report to no one."""

    def advance(self, rows: int) -> None:
        """Nothing to show."""

    def stage(self, description: str) -> None:
        """Nothing to show."""


class RateColumn(ProgressColumn):
    """Rows per second."""

    def render(self, task: ProgressTask) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class RowsBar:
    """A report on a bar that appears with the first rows written, so that an error before
    then prints alone."""

    def __init__(self, console: Console, total: int) -> None:
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self._total = total
        self._task: TaskID | None = None
        self._description = "Writing rows"

    def _started(self) -> TaskID:
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=self._total)
        return self._task

    def advance(self, rows: int) -> None:
        self._progress.advance(self._started(), rows)

    def stage(self, description: str) -> None:
        self._description = description
        if self._task is not None:
            self._progress.update(self._task, description=description)

    def __enter__(self) -> RowsBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._progress.stop()
