"""``audarma translate``: one article, or a corpus (folder of .txt, JSONL, Parquet), into en and uz.

A corpus runs in this process (``--out FILE``: one JSONL record per article) or, with
``--ray``, on a Ray cluster (``--out DIR``: shard files and a manifest, see docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..distributed.pool import RayOptions
from ..distributed.runner import RESTART_HINT, translate_corpus
from ..engines import ENGINE_NAMES
from ..errors import InputError
from ..jobs.batch import run_batch
from ..jobs.corpus import check_unique, is_batch, iter_batch
from ..jobs.store import RecordStore
from ..languages import SOURCES, TARGETS, Language
from ..settings import Settings
from ..translate import Translator, parse_targets
from .common import Output, add_io_arguments, read_text, settings_from_args

#: How the command line says which language an article is in (quoted when one is refused).
SOURCE_HINT = "--source kk (or --source ru)"


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Model, engine, device and decoding flags (shared with other model-running commands)."""
    parser.add_argument("--model", help="hub id or local model folder")
    parser.add_argument("--engine", choices=ENGINE_NAMES)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--beam", type=int, help="beam size (1 = greedy)")
    parser.add_argument(
        "--no-cache", dest="cache", action="store_const", const=False, help="skip the cache"
    )


def add_ray_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--ray`` and the pool's size (shared by translate and eval)."""
    parser.add_argument(
        "--ray",
        metavar="local|auto|ADDRESS",
        help=f"run {what} on a Ray cluster: 'local' starts one on this machine, 'auto' joins"
        " the one `ray start` made here, HOST:PORT joins a head (needs audarma[ray])",
    )
    parser.add_argument(
        "--ray-actors", type=int, help="actors, each with one loaded engine (default: fill)"
    )
    parser.add_argument(
        "--ray-cpus-per-actor", type=float, help="CPUs (and engine threads) per actor (default 2)"
    )
    parser.add_argument("--ray-gpus-per-actor", type=float, help="GPUs per actor (default 0)")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings with this command's model, decoding and Ray flags laid on top."""
    return settings_from_args(
        args,
        model="model",
        engine="engine",
        device="device",
        beam="beam",
        cache="cache",
        ray_actors="ray_actors",
        ray_cpus_per_actor="ray_cpus_per_actor",
        ray_gpus_per_actor="ray_gpus_per_actor",
    )


def translator_from_args(args: argparse.Namespace) -> Translator:
    return Translator(settings=settings_from(args))


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "translate",
        help="translate Kazakh (or Russian) articles into English and/or Uzbek",
        description=(
            "Translate a Kazakh or Russian article (FILE or stdin; Kazakh in Cyrillic or in the"
            " official Latin alphabet). A folder of .txt files, a .jsonl file"
            ' ({"id": ..., "text": ...} per line) or a Parquet file or folder (id and text'
            " columns) is a corpus: one JSON result per article, written as each group of"
            " articles finishes; rerunning with the same --out skips finished articles. With"
            " --ray the corpus runs on a Ray cluster into --out DIR (part-*.jsonl, or"
            " part-*.parquet with --format parquet, and manifest.json)."
        ),
    )
    add_io_arguments(
        parser,
        file_help="article, folder of .txt articles, .jsonl or Parquet corpus",
        formats=("text", "json", "parquet"),
    )
    parser.add_argument(
        "--to",
        default="en,uz",
        help=f"target languages, of {','.join(TARGETS)} (default: en,uz)",
    )
    parser.add_argument(
        "--source",
        choices=("auto", *SOURCES),
        default="auto",
        help="the articles' language: detected (auto, the default; other languages are"
        " refused) or said (kk, ru)",
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--restart",
        action="store_true",
        help="corpora: forget the results already in --out and start over",
    )
    add_ray_arguments(parser, "a corpus")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    targets = parse_targets(args.to)
    if args.format == "parquet" and not args.ray:
        raise InputError("--format parquet writes the results of a --ray run; add --ray")
    if args.ray:
        return _run_on_ray(args, targets)
    if is_batch(args.file):
        return _run_batch(args, targets)
    text = read_text(args.file)
    result = translator_from_args(args).translate(
        text, targets, source=args.source, source_hint=SOURCE_HINT
    )
    with Output(args.out) as out:
        out.write_json(result.to_dict()) if args.format == "json" else out.write(result.to_text())
    for warning in result.warnings:
        print(f"audarma: warning: {warning}", file=sys.stderr)
    return 0


def _run_batch(args: argparse.Namespace, targets: list[Language]) -> int:
    from tqdm import tqdm

    items = list(iter_batch(args.file))
    check_unique((item_id for item_id, _ in items), args.file)
    translator = translator_from_args(args)
    done: set[str] = set()
    if args.out:
        store = RecordStore.beside(args.out)
        store.open(
            {"kind": "translate", **translator.identity(targets, args.source)},
            restart=args.restart,
            hint=RESTART_HINT,
        )
        write, done = store.append, store.finished()
    else:

        def write(record: dict) -> None:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    todo = sum(1 for item_id, _ in items if item_id not in done)
    with tqdm(total=todo, desc="articles", unit="article", file=sys.stderr) as bar:
        summary = run_batch(
            items, translator, targets, write, done, bar.update, source=args.source,
            source_hint=SOURCE_HINT,
        )  # fmt: skip
    if summary.failed:
        todo = summary.total - summary.skipped
        raise InputError(f"{summary.failed} of {todo} articles failed (see their 'error' records)")
    return 0


def _run_on_ray(args: argparse.Namespace, targets: list[Language]) -> int:
    if not is_batch(args.file):
        raise InputError(
            "--ray translates a corpus: a folder of .txt files, a .jsonl file, or a Parquet"
            " file or folder"
        )
    if not args.out:
        raise InputError("--ray writes its results into a folder: give --out DIR")
    settings = settings_from(args)
    manifest = translate_corpus(
        args.file,
        args.out,
        targets,
        settings=settings,
        ray=RayOptions.from_settings(args.ray, settings),
        output_format="parquet" if args.format == "parquet" else "jsonl",
        restart=args.restart,
        source=args.source,
        source_hint=SOURCE_HINT,
    )
    problems = []
    if manifest["failed"]:
        problems.append(f"{manifest['failed']} failed (see their 'error' records)")
    if manifest["missing"]:
        problems.append(f"{manifest['missing']} have no result (their group was given up)")
    if problems:
        articles = manifest["corpus"]["articles"]
        raise InputError(
            f"of {articles} articles, {' and '.join(problems)}; rerun the same command to"
            " retry them"
        )
    return 0
