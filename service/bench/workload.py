"""What ``audarma bench`` decodes: real NTREX sentences, planned as the pipeline plans them.

Every path decodes the same source token ids to the same lengths, so no path wins by
stopping early (random-weight models would otherwise stop at random). Two workloads:

* ``fixed`` (the default, comparable with earlier runs): one target language, each sentence
  decoded to ``ratio`` x the longest source of its batch;
* ``reference``: each sentence into English *and* Uzbek in the same batches, as the pipeline
  does, each decoded to the token length of its human reference translation in that
  language: what a real model writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..batching import plan_batches
from ..bundled import seed_files
from ..engines.family import detect_family
from ..errors import ConfigError, InputError
from ..languages import get_language
from ..settings import Settings
from ..text.files import read_lines
from .synthetic import find_ntrex_dir

LENGTHS = ("fixed", "reference")
#: The NTREX reference file of each target the ``reference`` workload decodes into.
REFERENCE_FILES = {"en": "eng-US.txt", "uz": "uzb.txt"}


def source_sentences(count: int) -> list[str]:
    """The first ``count`` Kazakh NTREX sentences (real news text, bundled)."""
    lines = [line.strip() for line in read_lines(find_ntrex_dir() / "kaz.txt")]
    lines = [line for line in lines if line]
    if count < 1 or count > len(lines):
        raise InputError(f"--sentences must be between 1 and {len(lines)}, got {count}")
    return lines[:count]


def reference_lines(code: str, count: int) -> list[str]:
    """The human translations of the first ``count`` Kazakh NTREX sentences into ``code``."""
    lines = [line.strip() for line in read_lines(find_ntrex_dir() / REFERENCE_FILES[code])]
    return [line for line in lines if line][:count]


def seed_article_text() -> str:
    """The seed article (Kazinform, 2025-10-17), as bundled (see :mod:`service.bundled`)."""
    files = seed_files()
    if not files:
        raise InputError("the seed article was not found (seeds/*.txt)")
    return files[0].read_text(encoding="utf-8")


@dataclass
class Workload:
    """Rows to decode (a sentence into a language), the pipeline's batch plan over them, and
    each row's output length."""

    sources: list[list[int]]
    targets: list[str]
    batches: list[list[int]]
    lengths: list[int]
    kind: str = "fixed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "lengths": self.kind,
            "rows": len(self.sources),
            "sentences": len(self.sources) // len(set(self.targets)),
            "targets": sorted(set(self.targets)),
            "source_tokens": sum(len(s) for s in self.sources),
            "output_tokens": sum(self.lengths),
            "batch_sizes": [len(b) for b in self.batches],
        }


def make_workload(
    model: str,
    count: int,
    ratio: float,
    settings: Settings,
    target: str = "en",
    lengths: str = "fixed",
) -> Workload:
    """Tokenize the sentences with the model's tokenizer and plan batches as the pipeline does."""
    from transformers import AutoTokenizer

    if lengths not in LENGTHS:
        raise ConfigError(f"unknown --lengths {lengths!r}; choose one of: {', '.join(LENGTHS)}")
    tokenizer = AutoTokenizer.from_pretrained(model)
    family = detect_family(tokenizer) or "nllb"
    tokenizer.src_lang = get_language("kk").model_code(family)
    ids = [list(row) for row in tokenizer(source_sentences(count))["input_ids"]]
    if lengths == "fixed":
        get_language(target)
        batches = plan_batches(
            [len(r) for r in ids], settings.batch_tokens, settings.max_batch_size
        )
        return Workload(ids, [target] * len(ids), batches, _batch_lengths(ids, batches, ratio))
    codes = list(REFERENCE_FILES)
    sources = [row for _ in codes for row in ids]
    targets = [code for code in codes for _ in ids]
    outputs = [
        max(1, len(tokenizer(line, add_special_tokens=False)["input_ids"]))
        for code in codes
        for line in reference_lines(code, count)
    ]
    batches = plan_batches(
        [len(r) for r in sources], settings.batch_tokens, settings.max_batch_size
    )
    return Workload(sources, targets, batches, outputs, kind="reference")


def _batch_lengths(
    sources: Sequence[Sequence[int]], batches: Sequence[Sequence[int]], ratio: float
) -> list[int]:
    """Each row's length: ``ratio`` x the longest source of its batch."""
    fixed = [0] * len(sources)
    for batch in batches:
        longest = max(len(sources[i]) for i in batch)
        for i in batch:
            fixed[i] = max(1, math.ceil(ratio * longest))
    return fixed
