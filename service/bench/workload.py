"""What ``audarma bench`` decodes: real NTREX sentences, planned as the pipeline plans them.

Every path decodes the same source token ids to the same fixed lengths, so no path wins by
stopping early (random-weight models would otherwise stop at random).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..batching import plan_batches
from ..bundled import seed_files
from ..engines.family import detect_family
from ..errors import InputError
from ..languages import get_language
from ..settings import Settings
from .synthetic import find_ntrex_dir


def source_sentences(count: int) -> list[str]:
    """The first ``count`` Kazakh NTREX sentences (real news text, bundled)."""
    text = (find_ntrex_dir() / "kaz.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if count < 1 or count > len(lines):
        raise InputError(f"--sentences must be between 1 and {len(lines)}, got {count}")
    return lines[:count]


def seed_article_text() -> str:
    """The seed article (Kazinform, 2025-10-17), as bundled (see :mod:`service.bundled`)."""
    files = seed_files()
    if not files:
        raise InputError("the seed article was not found (seeds/*.txt)")
    return files[0].read_text(encoding="utf-8")


@dataclass
class Workload:
    """Source ids, the pipeline's batch plan over them, and each sentence's fixed length."""

    sources: list[list[int]]
    batches: list[list[int]]
    lengths: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": len(self.sources),
            "source_tokens": sum(len(s) for s in self.sources),
            "output_tokens": sum(self.lengths),
            "batch_sizes": [len(b) for b in self.batches],
        }


def make_workload(
    model: str, count: int, ratio: float, settings: Settings, target: str = "en"
) -> Workload:
    """Tokenize the sentences with the model's tokenizer and plan batches as the pipeline does.

    Each sentence is decoded to ``ratio`` x the longest source of its batch.
    """
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    family = detect_family(tokenizer) or "nllb"
    tokenizer.src_lang = get_language("kk").model_code(family)
    get_language(target)
    sources = [list(ids) for ids in tokenizer(source_sentences(count))["input_ids"]]
    lengths = [len(ids) for ids in sources]
    batches = plan_batches(lengths, settings.batch_tokens, settings.max_batch_size)
    fixed = [0] * len(sources)
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        for i in batch:
            fixed[i] = max(1, math.ceil(ratio * longest))
    return Workload(sources, batches, fixed)
