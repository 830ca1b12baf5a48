"""The report of bench/strategy_table.sh: the strategy's table, measured, as Markdown.

Usage: strategy_report.py RESULTS [--rate 1000]
RESULTS lines: "round config scenario figures...", where *_most figures are wrk's
"rps p99_ms errors requests" and *_fixed figures are bench/fixed_rate.py's
"offered achieved p50_ms p99_ms max_ms errors" followed by the database's transactions/s.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

CONFIGS = {"mvp": "MVP", "optimized": "Optimized", "cached": "With cache"}
CACHED_P99_BAR_MS = 10.0
MOST = ("rps", "p99", "errors", "requests")
FIXED = ("offered", "achieved", "p50", "p99", "max", "errors", "xacts")

Figures = dict[tuple[str, str], list[dict[str, float]]]  # (config, scenario) -> one per round


def read(path: str) -> Figures:
    figures: Figures = defaultdict(list)
    for line in Path(path).read_text().splitlines():
        _, config, scenario, *values = line.split()
        names = MOST if scenario.endswith("_most") else FIXED
        figures[config, scenario].append(dict(zip(names, map(float, values), strict=True)))
    return figures


def median(figures: Figures, config: str, scenario: str, name: str) -> float:
    return statistics.median(round_[name] for round_ in figures[config, scenario])


def table(figures: Figures, rate: float) -> list[str]:
    at = f"at {rate:,.0f}/s offered"
    rows = []
    for method, prefix in (("GET", "get"), ("POST", "post")):
        rows += [
            (f"{method} /api/v1/tasks p50 {at} (ms)", f"{prefix}_fixed", "p50", "{:.1f}"),
            (f"{method} /api/v1/tasks p99 {at} (ms)", f"{prefix}_fixed", "p99", "{:.1f}"),
            (f"{method} /api/v1/tasks, most requests/s", f"{prefix}_most", "rps", "{:,.0f}"),
            (f"Database transactions/s, {method} {at}", f"{prefix}_fixed", "xacts", "{:,.0f}"),
        ]
    lines = [
        "| Metric | " + " | ".join(CONFIGS.values()) + " |",
        "|---|" + "---|" * len(CONFIGS),
    ]
    for label, scenario, name, form in rows:
        cells = [form.format(median(figures, config, scenario, name)) for config in CONFIGS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def rounds(figures: Figures) -> list[str]:
    lines = ["config     scenario    round  figures"]
    for (config, scenario), measured in sorted(figures.items()):
        for number, round_ in enumerate(measured, 1):
            shown = "  ".join(f"{name}={value:g}" for name, value in round_.items())
            lines.append(f"{config:<10} {scenario:<11} {number:>5}  {shown}")
    return lines


def bars(figures: Figures, rate: float) -> list[str]:
    p99 = median(figures, "cached", "get_fixed", "p99")
    verdict = "meets the bar" if p99 < CACHED_P99_BAR_MS else "BELOW THE BAR"
    lines = [
        f"cached list p99 at {rate:,.0f}/s offered: {p99:.1f} ms "
        f"(bar < {CACHED_P99_BAR_MS:.0f} ms): {verdict}"
    ]
    for config in CONFIGS:
        achieved = median(figures, config, "get_fixed", "achieved")
        if achieved < 0.95 * rate:
            lines.append(
                f"{config}: answered only {achieved:,.0f} GET/s of the {rate:,.0f} offered"
            )
    errors = sum(round_["errors"] for measured in figures.values() for round_ in measured)
    if errors:
        lines.append(f"WARNING: {errors:.0f} requests failed (socket errors or non-2xx)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--rate", type=float, default=1000)
    arguments = parser.parse_args()
    figures = read(arguments.results)
    print(
        "\n".join(
            [
                *rounds(figures),
                "",
                *table(figures, arguments.rate),
                "",
                *bars(figures, arguments.rate),
            ]
        )
    )


if __name__ == "__main__":
    main()
