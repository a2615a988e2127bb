"""Model-family rules shared by both engines: telling NLLB from M2M100 by the tokenizer, and
turning generated ids into a hypothesis (cut at the limit, EOS, what counts as a token)."""

from __future__ import annotations

from pathlib import Path

from transformers import AutoTokenizer, PreTrainedTokenizerFast

from service.engines.base import Hypothesis
from service.engines.family import detect_family, finish_hypothesis


def test_family_detection(tiny_nllb_dir: Path, tiny_m2m100_dir: Path):
    assert detect_family(AutoTokenizer.from_pretrained(tiny_nllb_dir)) == "nllb"
    assert detect_family(AutoTokenizer.from_pretrained(tiny_m2m100_dir)) == "m2m100"
    # A generic tokenizer class: the tag format tells.
    generic = PreTrainedTokenizerFast(tokenizer_file=str(tiny_nllb_dir / "tokenizer.json"))
    assert type(generic).__name__ == "TokenizersBackend"  # v5's PreTrainedTokenizerFast
    assert detect_family(generic) == "nllb"


def test_finish_hypothesis_rules(tiny_nllb_dir: Path):
    tok = AutoTokenizer.from_pretrained(tiny_nllb_dir)
    eos, pad, tag_id = tok.eos_token_id, tok.pad_token_id, tok.convert_tokens_to_ids("eng_Latn")
    special = set(tok.all_special_ids)
    words = [500, 501, 502, 503]
    cases = {  # (content, limit) -> (truncated, tokens, kept ids)
        (tuple(words[:2] + [eos, pad]), 3): (False, 2, words[:2]),
        (tuple(words[:3] + [eos]), 3): (False, 3, words[:3]),  # EOS right after the limit
        (tuple(words + [eos]), 3): (True, 3, words[:3]),
        (tuple(words), 3): (True, 3, words[:3]),
        ((eos, pad, pad), 3): (False, 0, []),
        ((500, tag_id, 501, eos), 5): (False, 2, [500, tag_id, 501]),  # tags are not counted
    }
    for (content, limit), (truncated, tokens, kept) in cases.items():
        hyp = finish_hypothesis(tok, content, limit, eos, special)
        assert hyp == Hypothesis(
            tok.decode(kept, skip_special_tokens=True).strip(), truncated, tokens
        )
