"""A report in every offline format, as named bytes (for `handoff report --out` and the demo)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.kpi.blocks import build_digest
from bot.kpi.charts import render_funnel_png, render_trend_png
from bot.kpi.engine import Report
from bot.kpi.render import render_campaigns_csv, render_channels_csv, render_text
from bot.kpi.table_png import render_channel_table_png

FORMATS = ("text", "json", "blocks", "csv", "campaigns-csv")


def render(report: Report, fmt: str) -> str:
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "blocks":
        return json.dumps(build_digest(report).to_kwargs(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return render_channels_csv(report)
    if fmt == "campaigns-csv":
        return render_campaigns_csv(report)
    raise ValueError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")


def write_all(report: Report, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    kind = report.kind
    files: dict[str, bytes] = {
        f"digest-{kind}.txt": render(report, "text").encode(),
        f"digest-{kind}.blocks.json": render(report, "blocks").encode(),
        f"report-{kind}.json": render(report, "json").encode(),
        f"channels-{kind}.csv": render(report, "csv").encode(),
        f"funnel-{kind}.png": render_funnel_png(report),
    }
    if report.trend:
        files[f"trend-{kind}.png"] = render_trend_png(report)
    if report.channels:
        files[f"channel-table-{kind}.png"] = render_channel_table_png(report)
    if report.campaigns:  # a day has no campaign table
        files[f"campaigns-{kind}.csv"] = render(report, "campaigns-csv").encode()
    written = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written
