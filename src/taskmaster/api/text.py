"""What every version refuses in text: the checks in words, and in JSON Schema for documents."""

from __future__ import annotations

from pydantic import AfterValidator

# No database stores NUL and no person types it: refused in every string a request carries.
NO_NUL = r"^[^\u0000]*$"
# Some character that is not space: as JSON Schema (ECMA-262) and Python's strip() both see it,
# for what is stored stripped (titles, names) and must not end up empty.
SOME_TEXT = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"


def no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


# The check NO_NUL documents, for the models requests are validated with.
NoNul = AfterValidator(no_nul)
