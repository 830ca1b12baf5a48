"""README.md stays true: it documents every setting and the two commands."""

from __future__ import annotations

from pathlib import Path

from taskmaster.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert missing == []


def test_the_two_commands_are_there() -> None:
    assert "make run" in README
    assert "make test" in README
