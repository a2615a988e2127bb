"""What an evaluation run does and how it is scored: everything but the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, InputError
from ..languages import SOURCE_LANGUAGE
from ..settings import Settings
from ..summarizers import check_strategy
from ..translate import parse_targets
from .metrics import DEFAULT_BOOTSTRAP, DEFAULT_SEED, TRANSLATION_METRICS, parse_metrics


@dataclass
class EvalOptions:
    """What to run and how to score it; everything but the model."""

    targets: Sequence[str] = ("en", "uz")
    summaries: bool = False
    strategy: str = "extractive"
    #: Summary length. NTREX's reference summaries are one-line headlines, hence 1.
    summary_sentences: int = 1
    limit: int | None = None
    metrics: str | Sequence[str] = TRANSLATION_METRICS
    normalize: bool = True
    n_bootstrap: int = DEFAULT_BOOTSTRAP
    seed: int | None = DEFAULT_SEED
    #: A local COMET checkpoint (file or folder); None: COMET is skipped with a note.
    comet: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        try:
            self.targets = [lang.code for lang in parse_targets(self.targets)]
        except InputError as exc:
            raise ConfigError(str(exc)) from None
        self.metrics = parse_metrics(self.metrics)
        self.strategy = check_strategy(self.strategy)
        if self.summary_sentences < 1:
            raise ConfigError(f"--sentences must be at least 1, not {self.summary_sentences}")

    @property
    def summary_languages(self) -> list[str]:
        return [SOURCE_LANGUAGE, *self.targets]

    def summarizer_info(self, settings: Settings) -> dict[str, Any] | None:
        """Strategy, length and model of the summaries (None when they are off)."""
        if not self.summaries:
            return None
        model = {"seq2seq": settings.summary_model, "llm": settings.llm_model}.get(self.strategy)
        return {"strategy": self.strategy, "sentences": self.summary_sentences, "model": model}
