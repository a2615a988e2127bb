"""``audarma results DIR``: what a corpus run's folder holds; ``--merge OUT.jsonl``: one file.

A run on a Ray cluster (``audarma translate CORPUS --out DIR --ray ...``) leaves shard files
and a manifest in DIR (see :mod:`service.jobs.shards`). This command reads them without
changing anything: a summary of the run, or every article's record once, in corpus order,
in one JSONL file.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..jobs.shards import ShardStore
from .common import Output


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "results",
        help="summarise a --ray run's results folder, or merge it into one file",
        description=(
            "Read the results folder of `audarma translate CORPUS --out DIR --ray ...`: say"
            " how many articles are finished, failed or missing, or with --merge OUT.jsonl"
            " write every article's record once, in corpus order, into one JSONL file."
        ),
    )
    parser.add_argument("folder", metavar="DIR", help="the --out folder of a --ray run")
    parser.add_argument("--merge", metavar="OUT.jsonl", help="write all records into one file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = ShardStore(args.folder)
    manifest = store.read()
    if args.merge:
        count = store.merge(args.merge)
        print(f"audarma: {count} record(s) written to {args.merge}", file=sys.stderr)
        if not manifest.get("complete", False):
            print(
                f"audarma: warning: {describe(manifest)}; rerun the translate command to"
                " finish before relying on the merged file",
                file=sys.stderr,
            )
        return 0
    with Output(None) as out:
        if args.format == "json":
            out.write_json(manifest)
        else:
            out.write(render(args.folder, manifest))
    return 0


def describe(manifest: dict[str, Any]) -> str:
    """``40 finished, 2 failed, 0 missing of 42 articles``."""
    articles = manifest.get("corpus", {}).get("articles")
    of = f" of {articles} articles" if articles is not None else ""
    return (
        f"{manifest.get('finished', 0)} finished, {manifest.get('failed', 0)} failed,"
        f" {manifest.get('missing', 0)} missing{of}"
    )


def render(folder: str, manifest: dict[str, Any]) -> str:
    """The text summary of a results folder."""
    identity = manifest.get("identity", {})
    model = identity.get("model", {})
    runs = manifest.get("runs", [])
    lines = [
        f"{folder}: {describe(manifest)}" + (" (complete)" if manifest.get("complete") else ""),
        f"model {model.get('name')} ({model.get('engine')}), targets"
        f" {', '.join(identity.get('targets', []))}, beam"
        f" {identity.get('decoding', {}).get('beam')}",
        f"{manifest.get('format')} parts: {', '.join(manifest.get('parts', [])) or 'none'}",
    ]
    for number, item in enumerate(runs, start=1):
        ray = item.get("ray", {})
        lines.append(
            f"run {number} ({item.get('started')}, {item.get('status')}):"
            f" {item.get('articles', 0)} articles in {item.get('seconds', 0):.1f} s,"
            f" {item.get('sentences', 0)} sentences, {item.get('failed', 0)} failed;"
            f" {ray.get('actors', 0)} actor(s) of {ray.get('cpus_per_actor')} CPU(s)"
            f" on {ray.get('address')}"
        )
    return "\n".join(lines)
