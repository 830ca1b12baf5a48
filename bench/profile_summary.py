"""Where a request's time goes: py-spy's collapsed stacks (`--format raw`) summed by part.

    .venv/bin/python bench/profile_summary.py PROFILE.txt [PROFILE.txt ...]

Each sample counts once, for the part of the stack nearest its leaf that is recognized
(C code such as orjson or a socket write counts for the Python line that called it).
"""

from __future__ import annotations

import argparse
import linecache
import re
from collections import Counter, defaultdict
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "src"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*):(?P<line>\d+)\)$")

# (part, file path fragments), tried in this order on each frame from the leaf up.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("asyncpg (bind, execute, send; rows)", ("asyncpg/",)),
    ("pool checkout/return (SQLAlchemy, greenlet)", ("sqlalchemy/", "greenlet", "db/pool.py")),
    ("token verification (PyJWT, Ed25519)", ("auth/tokens.py", "jwt/", "cryptography/")),
    ("revocation check", ("auth/revocations.py", "taskmaster/cache/")),
    ("orjson (response render)", ("api/responses.py",)),
    ("dependencies (FastAPI DI, api/deps.py)", ("fastapi/dependencies/", "api/deps.py")),
    ("framework/middleware (FastAPI, Starlette, ours)", ("fastapi/", "starlette/", "api/body.py")),
    ("framework/middleware (FastAPI, Starlette, ours)", ("api/headers.py",)),
    ("our code (handler, service, repository, rows)", ("taskmaster/", "floor_app.py")),
    ("uvicorn (HTTP parse, response write)", ("uvicorn/protocols/", "uvicorn/middleware/")),
    ("event loop (uvloop: socket reads, callbacks)", ("asyncio/",)),
    ("uvicorn supervisor ping (thread)", ("multiprocessing/", "threading.py")),
)
POOL = "pool checkout/return (SQLAlchemy, greenlet)"
UNSEEN = "no Python frame (C code, GC)"
OTHER = "other (stdlib helpers)"


def _source_line(file: str, line: int) -> str:
    if "taskmaster/" not in file:
        return ""
    return linecache.getline(str(SOURCES / file[file.index("taskmaster/") :]), line)


def part_of(frames: list[str]) -> tuple[str, str]:
    """The part a sample counts for, and the frame that decided it."""
    for frame in reversed(frames):
        match = FRAME.match(frame)
        if match is None:
            continue
        file = match["file"]
        source = _source_line(file, int(match["line"]))
        if ".connect()" in source or ".begin()" in source:  # `async with engine.connect()`
            return POOL, frame
        for part, fragments in PARTS:
            if any(fragment in file for fragment in fragments):
                return part, frame
    leaf = frames[-1] if frames and frames[-1] else ""
    return (OTHER if leaf else UNSEEN), leaf


def summarize(paths: list[str], top: int) -> None:
    parts: Counter[str] = Counter()
    frames: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for path in paths:
        for line in Path(path).read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            part, frame = part_of(stack.split(";"))
            parts[part] += int(samples)
            frames[part][frame] += int(samples)
    total = sum(parts.values())
    print(f"{total} samples (GIL held) in {', '.join(Path(path).name for path in paths)}")
    for part, count in parts.most_common():
        print(f"{100 * count / total:5.1f}%  {part}")
        for frame, share in frames[part].most_common(top):
            print(f"{'':8}{100 * share / total:5.1f}%  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profiles", nargs="+")
    parser.add_argument("--top", type=int, default=4, help="frames shown under each part")
    arguments = parser.parse_args()
    summarize(arguments.profiles, arguments.top)


if __name__ == "__main__":
    main()
