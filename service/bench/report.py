"""The benchmark's report: comparisons against the naive path, the targets, the table.

Kept apart from :mod:`service.bench.run` (which runs things) so the numbers' meaning lives in
one small place: every ratio is against the naive path at the same beam size.
"""

from __future__ import annotations

import json
from typing import Any

from .paths import NAIVE

#: The default CPU path's speed-up over the naive path that the speed issue asks for, by
#: host: CPUs with AMX run the naive float32 path faster relative to int8, but CTranslate2
#: gains more from AMX still (measured ratios differ by ~40% between the two kinds of host).
TARGETS = {
    "amx": {"greedy": 28.0, "beam4": 20.0},
    "no_amx": {"greedy": 17.0, "beam4": 15.0},
}
#: Peak memory of the default path against the fp32 transformers batched path, at most.
MEMORY_TARGET = 0.35


def add_comparisons(
    rows: list[dict[str, Any]], outputs: dict[tuple[str, int], list[list[int]]]
) -> None:
    """Speed-up and output agreement of each row against the naive row at the same beam."""
    for row in rows:
        base = next((r for r in rows if r["path"] == NAIVE and r["beam"] == row["beam"]), None)
        row["speedup_vs_naive"] = row["sentences_per_s"] / base["sentences_per_s"] if base else None
        reference = outputs.get((NAIVE, row["beam"]))
        mine = outputs[(row["path"], row["beam"])]
        row["identical_to_naive"] = (
            sum(a == b for a, b in zip(reference, mine, strict=True)) / len(mine)
            if reference
            else None
        )


def headline(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    def speedup(beam: int) -> float | None:
        row = next((r for r in rows if r["default"] and r["beam"] == beam), None)
        return row["speedup_vs_naive"] if row else None

    return {"greedy": speedup(1), "beam4": speedup(4)}


def memory_ratio(rows: list[dict[str, Any]]) -> float | None:
    default = next((r for r in rows if r["default"]), None)
    batched = next((r for r in rows if r["path"] == "transformers-float32"), None)
    if not (default and batched):
        return None
    return default["peak_rss_mb"] / batched["peak_rss_mb"]


def targets(report: dict[str, Any]) -> dict[str, Any]:
    """Which targets the default path meets on this kind of host (``None``: not measured)."""
    speed = report["speedup_vs_naive"]
    memory = report["memory_vs_transformers_batched"]
    host = "amx" if report["machine"].get("amx") else "no_amx"
    goal = TARGETS[host]

    def met(name: str) -> bool | None:
        return None if speed[name] is None else speed[name] >= goal[name]

    return {
        "host": host,
        f"greedy_{goal['greedy']:g}x": met("greedy"),
        f"beam4_{goal['beam4']:g}x": met("beam4"),
        f"memory_{MEMORY_TARGET:g}": None if memory is None else memory <= MEMORY_TARGET,
    }


# --- output ----------------------------------------------------------------------------------


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _times(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec) + "x"


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table, one row per path and beam size."""
    machine, work = report["machine"], report["workload"]
    layout = report.get("thread_layout")
    chosen = f"{layout['layout']} ({layout['source']})" if layout else "-"
    if work["lengths"] == "fixed":
        lengths = f"fixed, {work['ratio']}x the longest source of each batch, into {work['target']}"
    else:
        lengths = "each sentence's human reference length, into en and uz in the same batches"
    lines = [
        f"model: {report['model']}",
        f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['threads']} threads, "
        f"AMX: {machine['amx']}, native bf16: {machine['native_bf16']}",
        f"CTranslate2 thread layout: {chosen}",
        f"workload: {work['rows']} rows ({work['sentences']} sentences), {work['source_tokens']}"
        f" source tokens, {work['output_tokens']} output tokens per pass ({lengths}),"
        f" batches {work['batch_sizes']}",
        "",
    ]
    header = ("path", "beam", "sent/s", "tok/s", "x naive", "load s", "peak MB", "identical")
    table = [header]
    for row in report["rows"]:
        table.append(
            (
                row["path"] + (" *" if row["default"] else ""),
                str(row["beam"]),
                _fmt(row["sentences_per_s"], ".3f"),
                _fmt(row["tokens_per_s"], ".1f"),
                _fmt(row["speedup_vs_naive"], ".1f"),
                _fmt(row["load_s"], ".1f"),
                _fmt(row["peak_rss_mb"], ".0f"),
                _fmt(row["identical_to_naive"], ".0%"),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for number, cells in enumerate(table):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    speed = report["speedup_vs_naive"]
    lines += [
        "",
        f"* default CPU path: {report['default_path']}; vs naive: greedy "
        f"{_times(speed['greedy'], '.1f')}, beam 4 {_times(speed['beam4'], '.1f')}; peak memory "
        f"{_times(report['memory_vs_transformers_batched'], '.2f')} the fp32 transformers batched",
    ]
    shortlist = report.get("shortlist")
    if shortlist:
        proxy = (
            " (a proxy for the real vocabulary's)" if shortlist["proxy_for_real_vocabulary"] else ""
        )
        lines.append(f"shortlist: {shortlist['tokens']} candidate tokens{proxy}")
    goals = report.get("targets") or {}
    if goals:
        lines.append(
            f"targets ({goals['host']} host): "
            + ", ".join(f"{k} {'met' if v else 'not met' if v is False else 'n/a'}"
                        for k, v in goals.items() if k != "host")
        )  # fmt: skip
    article = report.get("article")
    if article:
        times = ", ".join(
            f"{'greedy' if beam == '1' else f'beam {beam}'} {seconds:.1f} s"
            for beam, seconds in article["seconds"].items()
        )
        lines.append(
            f"article: the seed article into {' + '.join(article['targets'])} through the"
            f" pipeline ({article['sentences']} sentences, {article['ratio']}x source tokens"
            f" each, {article['engine']}, shortlist {article['shortlist']}): {times};"
            f" {article['load_s']:.1f} s loading"
        )
    return "\n".join(lines)


def report_json(report: dict[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False)
