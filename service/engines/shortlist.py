"""Target-vocabulary shortlist: only tokens written in the target language's script.

NLLB's output projection has 256,206 rows, and at each decoding step it costs more than all
twelve decoder layers together. English and Uzbek (Latin) output never needs Cyrillic, Arabic
or CJK pieces, so restricting the candidates to Latin and script-neutral tokens (digits,
punctuation, the word-boundary mark) shrinks that matrix product without touching the rest of
the model. It can change an output only where the full model would have picked a token of
another script, which for these targets is already an error; until that is checked on real
references it stays off by default (setting ``shortlist``).

CTranslate2 takes the list as a vocabulary map (``vmap.txt`` in the model folder: a line with
an empty source n-gram lists tokens that are always candidates) and then computes only those
rows of the projection. For transformers a logits processor masks the other tokens: same
outputs, no speed gain (it still computes every row).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..languages import LANGUAGES
from .family import language_token, token_id

#: ISO 15924 code -> the prefix of the Unicode character names of that script's letters.
SCRIPT_NAMES = {
    "Latn": "LATIN",
    "Cyrl": "CYRILLIC",
    "Arab": "ARABIC",
    "Grek": "GREEK",
    "Hebr": "HEBREW",
    "Deva": "DEVANAGARI",
}

#: The vocabulary map CTranslate2 reads from a model folder when ``use_vmap=True``.
VMAP_FILE = "vmap.txt"
#: What the vocabulary map in a folder was built for (vmap.txt itself has no comment syntax).
VMAP_INFO = "vmap.json"

#: Rows CTranslate2 appends past the tokenizer's tokens (embedding padding, never real text).
_PADDING_TOKEN = re.compile(r"madeupword\d+")
#: Letter categories that belong to one script; modifier letters (Uzbek ``ʻ``) and marks do not.
_SCRIPT_LETTERS = {"Lu", "Ll", "Lt", "Lo"}


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str | None:
    """The script name prefix of a letter, ``None`` for script-neutral characters."""
    if unicodedata.category(ch) not in _SCRIPT_LETTERS:
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def token_in_scripts(token: str, scripts: Collection[str]) -> bool:
    """Whether every letter of ``token`` is in one of ``scripts`` (ISO 15924 codes)."""
    allowed = {SCRIPT_NAMES.get(code, code.upper()) for code in scripts}
    return all(_char_script(ch) in allowed for ch in token if _char_script(ch) is not None)


def shortlist_tokens(
    vocabulary: Sequence[str],
    scripts: Collection[str],
    always: Iterable[str] = (),
) -> list[str]:
    """The tokens of ``vocabulary`` to keep for output in ``scripts``, in vocabulary order.

    ``always`` (special tokens, language tags) are kept whatever their script. Padding rows
    (``madeupwordN``) are dropped: no tokenizer produces them.
    """
    keep = set(always)
    return [
        token
        for token in vocabulary
        if token in keep
        or (not _PADDING_TOKEN.fullmatch(token) and token_in_scripts(token, scripts))
    ]


def vmap_text(tokens: Iterable[str]) -> str:
    """A vocabulary map whose only rule makes ``tokens`` candidates for every input."""
    tokens = list(tokens)
    bad = [t for t in tokens if not t or any(c in t for c in " \t\r\n")]
    if bad:
        raise ValueError(f"tokens with whitespace cannot go into a vocabulary map: {bad[:5]}")
    return "\t" + " ".join(tokens) + "\n"


def read_vmap_info(model_dir: str | Path) -> dict[str, Any]:
    """What the folder's vocabulary map was built for (empty when there is none of ours)."""
    path = Path(model_dir) / VMAP_INFO
    if not (path.is_file() and (Path(model_dir) / VMAP_FILE).is_file()):
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def write_vmap(model_dir: str | Path, tokens: Sequence[str], info: dict[str, Any]) -> Path:
    """Write ``vmap.txt`` (and its description) into ``model_dir`` atomically."""
    folder = Path(model_dir)
    _atomic_write(folder / VMAP_FILE, vmap_text(tokens))
    record = {**info, "tokens": len(tokens)}
    _atomic_write(folder / VMAP_INFO, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return folder / VMAP_FILE


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def allowed_ids(
    tokenizer: Any, scripts: Collection[str], extra_ids: Iterable[int] = ()
) -> list[int]:
    """Token ids a transformers tokenizer may emit for ``scripts`` (specials always kept)."""
    vocab = tokenizer.get_vocab()
    by_id = sorted(vocab.items(), key=lambda item: item[1])
    keep = {tokenizer.convert_ids_to_tokens(i) for i in tokenizer.all_special_ids}
    tokens = set(shortlist_tokens([t for t, _ in by_id], scripts, always=keep))
    return sorted({i for t, i in by_id if t in tokens} | set(extra_ids))


class RowMaskLogitsProcessor:
    """Adds a per-row mask to the scores (transformers ``LogitsProcessor`` protocol).

    ``masks[b]`` (``0`` where allowed, ``-inf`` elsewhere, or ``None`` for no restriction)
    applies to batch row ``b``; under beam search transformers lays the rows out batch-major,
    ``num_beams`` rows per sentence.
    """

    def __init__(self, masks: Sequence[Any | None], num_beams: int) -> None:
        import torch

        width = next(m for m in masks if m is not None).shape[0]
        rows = [m if m is not None else torch.zeros(width) for m in masks]
        self._mask = torch.stack(rows).repeat_interleave(num_beams, dim=0)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        return scores + self._mask.to(device=scores.device, dtype=scores.dtype)


class TransformersShortlist:
    """Target-script masks for the transformers engine: the same outputs CTranslate2 gives
    with its vocabulary map (built once per script, applied per row)."""

    def __init__(self, tokenizer: Any, family: str, vocab_size: int) -> None:
        tags = [token_id(tokenizer, language_token(family, lang)) for lang in LANGUAGES.values()]
        self._always = sorted(t for t in tags if t is not None)  # the forced target tags
        self._tokenizer = tokenizer
        self._vocab_size = vocab_size
        self._by_script: dict[str, Any] = {}

    def mask(self, script: str) -> Any:
        """``0`` for the tokens ``script`` output may use, ``-inf`` for the rest."""
        import torch

        if script not in self._by_script:
            allowed = allowed_ids(self._tokenizer, [script], extra_ids=self._always)
            mask = torch.full((self._vocab_size,), float("-inf"))
            mask[torch.tensor([i for i in allowed if i < self._vocab_size], dtype=torch.long)] = 0
            self._by_script[script] = mask
        return self._by_script[script]

    def processor(self, scripts: Sequence[str | None], num_beams: int) -> Any | None:
        """The processor restricting each row to its script; ``None`` when no row is."""
        if all(script is None for script in scripts):
            return None
        masks = [self.mask(script) if script else None for script in scripts]
        return RowMaskLogitsProcessor(masks, num_beams)
