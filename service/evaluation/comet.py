"""The optional neural metric: COMET, only from a checkpoint already on this machine.

COMET needs ``unbabel-comet`` (not a dependency: it pulls in PyTorch Lightning) and a model
of a few gigabytes. Audarma never downloads one: the user points ``--comet`` at a local
checkpoint (``model.ckpt`` or the folder ``download_model`` made), and anything missing turns
into a note in the report instead of an error, so an evaluation without COMET still completes.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class CometUnavailable(Exception):
    """COMET cannot run here; the message says why, for the report's notes."""


def checkpoint_path(path: str) -> Path:
    """The ``.ckpt`` file: ``path`` itself, or ``checkpoints/model.ckpt`` in the folder ``path``."""
    given = Path(path).expanduser()
    candidates = (
        [given] if given.is_file() else [given / "checkpoints" / "model.ckpt", given / "model.ckpt"]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CometUnavailable(
        f"COMET skipped: {path} is not a local COMET checkpoint (Audarma never downloads models)"
    )


class CometScorer:
    """A loaded COMET model that scores (source, hypothesis, reference) triples."""

    def __init__(self, path: str) -> None:
        checkpoint = checkpoint_path(path)
        try:
            import comet
        except ImportError:
            raise CometUnavailable("COMET skipped: unbabel-comet is not installed") from None
        load = comet.load_from_checkpoint
        kwargs = {}
        if "local_files_only" in inspect.signature(load).parameters:
            kwargs["local_files_only"] = True  # its encoder's files must be local too
        try:
            self.model = load(str(checkpoint), **kwargs)
        except Exception as exc:  # any failure to load is a note in the report, not fatal
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CometUnavailable(f"COMET skipped: cannot load {checkpoint}: {reason}") from None
        self.name = (
            checkpoint.parent.parent.name
            if checkpoint.parent.name == "checkpoints"
            else checkpoint.stem
        )

    def segment_scores(
        self, sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]
    ) -> list[float]:
        """One COMET score per segment (COMET's own scale, about 0..1)."""
        data = [
            {"src": src, "mt": mt, "ref": ref}
            for src, mt, ref in zip(sources, hypotheses, references, strict=True)
        ]
        output: Any = self.model.predict(data, batch_size=16, gpus=_gpus(), progress_bar=False)
        return [float(score) for score in output.scores]


def _gpus() -> int:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return 0
    return 1 if torch.cuda.is_available() else 0
