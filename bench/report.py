"""Results of a benchmark run and the table printed from them.

A suite returns `Metric`s: one row each, with a value (or a reason it is missing) for each target,
the issue's target value, and which direction is better. `render()` prints one row per metric and
one column per target, then "cloudlet ÷ peer" ratio columns and whether cloudlet meets the target.

    metric   target   cloudlet   moto   ministack   floor   cloudlet÷moto   cloudlet÷ministack   ok

The "floor" column (a server that does nothing, see `floor.py`) gets no ratio column: it is the
lowest figure this client on this machine can show, not a product to beat.

Ratios are always cloudlet's value divided by the peer's: below 1 is better for a "lower is better"
metric (↓), above 1 for a "higher is better" one (↑).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

CLOUDLET = "cloudlet"

Better = Literal["lower", "higher", ""]
"""Which direction of a metric is better ("" for informational rows)."""


@dataclass
class Metric:
    """One row of the report."""

    suite: str
    """Benchmark module that measured it, e.g. "platform"."""
    key: str
    """Stable identifier, for JSON consumers."""
    label: str
    """What the row shows, with its unit."""
    better: Better
    """Which direction is better; "" for informational rows."""
    target: float | None = None
    """The issue's target for cloudlet, if any."""
    digits: int = 3
    """Decimals shown."""
    values: dict[str, float] = field(default_factory=dict)
    """Value for each target name."""
    notes: dict[str, str] = field(default_factory=dict)
    """Why a value is missing, or a caveat, for each target name."""
    samples: dict[str, list[float]] = field(default_factory=dict)
    """Raw samples behind a median, for the JSON output."""

    def meets_target(self) -> bool | None:
        """Whether cloudlet's value meets the target (None when unknown)."""
        value = self.values.get(CLOUDLET)
        if self.target is None or value is None or math.isnan(value):
            return None
        return value <= self.target if self.better == "lower" else value >= self.target


def _fmt(value: float | None, digits: int) -> str:
    if value is None or math.isnan(value):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _ratio(metric: Metric, peer: str) -> str:
    ours, theirs = metric.values.get(CLOUDLET), metric.values.get(peer)
    if ours is None or theirs is None or math.isnan(ours) or math.isnan(theirs) or theirs == 0:
        return "—"
    return f"{ours / theirs:.2f}x"


def _target_text(metric: Metric) -> str:
    if metric.target is None:
        return ""
    sign = "≤" if metric.better == "lower" else "≥"
    return f"{sign} {_fmt(metric.target, metric.digits)}"


def render(
    metrics: list[Metric], targets: list[str], versions: dict[str, str], peers: list[str]
) -> str:
    """The table as text: metric rows, target columns, then "cloudlet ÷ peer" columns and ok."""
    peers = [p for p in peers if p in targets]
    with_ratios = CLOUDLET in targets
    header = ["metric", "", "target", *(f"{t} {versions.get(t, '')}".strip() for t in targets)]
    if with_ratios:
        header += [f"{CLOUDLET}÷{p}" for p in peers] + ["ok"]
    rows = [header]
    for m in metrics:
        arrow = {"lower": "↓", "higher": "↑"}.get(m.better, "")
        row = [m.label, arrow, _target_text(m)]
        row += [_fmt(m.values.get(t), m.digits) for t in targets]
        if with_ratios:
            ok = {True: "yes", False: "NO", None: ""}[m.meets_target()]
            row += [_ratio(m, p) if m.better else "" for p in peers] + [ok]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    numeric_from = 2

    def line(row: list[str]) -> str:
        cells = [
            c.ljust(w) if i < numeric_from else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    out = [line(rows[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[1:]]
    notes = [
        f"  {m.key} [{t}]: {note}" for m in metrics for t, note in m.notes.items() if t in targets
    ]
    if notes:
        out += ["", "notes:", *notes]
    out += ["", "↓ lower is better, ↑ higher is better; ratios are cloudlet's value ÷ the peer's."]
    if "floor" in targets:
        out += [
            "floor: a canned-response server (bench/floor.py), the client's and machine's cost."
        ]
    return "\n".join(out)


def write_json(path: Path, metrics: list[Metric], meta: dict[str, object]) -> None:
    """Save the run (metrics with samples, plus machine and version info) as JSON."""
    data = {"meta": meta, "metrics": [asdict(m) for m in metrics]}
    path.write_text(json.dumps(data, indent=2, allow_nan=True) + "\n")
