"""``audarma convert``: a transformers checkpoint into a CTranslate2 model folder."""

from __future__ import annotations

import argparse

from ..engines.convert import QUANTIZATIONS, convert_model, describe_source, ensure_converted
from ..engines.ctranslate2_engine import CTranslate2Engine
from ..engines.tuning import choose_compute_type, resolve_ct2_device, storage_quantization
from .common import Output, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert a model for the ctranslate2 engine",
        description=(
            "Convert a hub id or local transformers folder to CTranslate2 (tokenizer included)."
            " Without --out the model goes into the cache --engine ctranslate2 reads, so later"
            " runs skip the conversion."
        ),
    )
    parser.add_argument("--model", help="hub id or local model folder (default: the setting)")
    parser.add_argument("--out", dest="folder", help="output folder (default: the cache)")
    parser.add_argument(
        "--quantization",
        choices=("auto", *QUANTIZATIONS),
        default="auto",
        help="weight type (default auto: int8 on CPU, int8_float16 on a GPU)",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), help="what auto is for")
    parser.add_argument("--force", action="store_true", help="replace an existing --out folder")
    parser.add_argument(
        "--shortlist",
        action="store_true",
        help="also write the target-script vocabulary map (vmap.txt) into the folder",
    )
    # --out is the model folder here (DESIGN section 5), so only --format is shared.
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args, model="model", device="device")
    device = resolve_ct2_device(settings.device)
    compute_type = choose_compute_type(device, args.quantization)
    quantization = storage_quantization(compute_type)
    if args.folder:
        folder = convert_model(
            describe_source(settings.model), args.folder, quantization, force=args.force
        )
    else:
        folder = ensure_converted(settings.model, quantization, settings.cache_dir)
    shortlist = None
    if args.shortlist:
        engine = CTranslate2Engine(
            str(folder),
            device=device,
            compute_type=compute_type,
            shortlist=True,
            cache_dir=settings.cache_dir,
        )
        shortlist = sorted(engine.shortlist_scripts)
    record = {
        "model": settings.model,
        "folder": str(folder),
        "quantization": quantization,
        "shortlist": shortlist,
    }
    with Output(None) as out:
        if args.format == "json":
            out.write_json(record)
        else:
            out.write(
                f"{folder}\n(quantization {quantization}"
                + (f", shortlist for {', '.join(shortlist)}" if shortlist else "")
                + ")"
            )
    return 0
