"""Tiny random-weight summary models of the real architectures, built offline in seconds.

- :func:`build_tiny_t5`: an mT5 (XL-Sum's architecture) with a SentencePiece unigram tokenizer
  in T5's id layout (``<pad>``=0, ``</s>``=1, ``<unk>``=2), loaded by ``AutoTokenizer`` and
  ``AutoModelForSeq2SeqLM`` exactly like ``csebuetnlp/mT5_multilingual_XLSum``.
- :func:`build_tiny_chat_model`: a Qwen2 (the default ``Qwen/Qwen2.5-1.5B-Instruct``'s
  Llama-style architecture) or Llama causal LM with a byte-level BPE tokenizer whose ChatML
  control tokens (``<|im_start|>``, ``<|im_end|>``) are special tokens, and a ChatML chat
  template, loaded by ``AutoTokenizer`` and ``AutoModelForCausalLM``.

The outputs are garbage, but loading, chat templating, tokenising and generation follow the
real code paths. Tokenizers are trained on the bundled NTREX text so that Kazakh, Uzbek and
English never fall back to ``<unk>``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from service.bench.synthetic import ntrex_lines

#: ChatML, as Qwen2.5 uses it (without Qwen's default system message and tool support).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
CHATML_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")


def _training_lines() -> list[str]:
    """Every fourth NTREX line: still every letter of the three languages, a quarter the time."""
    return ntrex_lines()[::4]


def train_t5_sentencepiece(out_dir: str | Path, vocab_size: int = 800) -> Path:
    """A SentencePiece unigram model in T5's id layout; returns the ``.model`` path."""
    import sentencepiece as spm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_training_lines()),
        model_prefix=str(out / "spiece"),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        seed_sentencepiece_size=20_000,
        num_sub_iterations=1,
        num_threads=1,  # the same pieces every run
        minloglevel=2,
    )
    return out / "spiece.model"


def build_tiny_t5(
    out_dir: str | Path, *, spm_model: str | Path | None = None, seed: int = 0
) -> Path:
    """Write a random-weight mT5 summarizer folder (tokenizer, config, weights)."""
    import torch
    from transformers import GenerationConfig, MT5Config, MT5ForConditionalGeneration, T5Tokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="audarma-t5-spm-") as scratch:
        native = T5Tokenizer.convert_to_native_format(
            vocab_file=str(spm_model or train_t5_sentencepiece(scratch))
        )
    # As in mT5: the pieces, then 100 ``<extra_id_N>`` sentinels as special tokens.
    tokenizer = T5Tokenizer(**native, model_max_length=512)
    tokenizer.save_pretrained(out)
    config = MT5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,  # T5 starts decoding from <pad>
    )
    torch.manual_seed(seed)
    model = MT5ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    model.save_pretrained(out)
    return out


def train_chat_tokenizer(vocab_size: int = 1200):
    """A byte-level BPE tokenizer (Qwen2's kind) with the ChatML control tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(CHATML_SPECIALS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_training_lines(), trainer)
    return tokenizer


def build_tiny_chat_model(out_dir: str | Path, *, arch: str = "qwen2", seed: int = 0) -> Path:
    """Write a random-weight chat model folder (``arch``: ``qwen2`` or ``llama``)."""
    import torch
    from transformers import (
        GenerationConfig,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    classes = {"qwen2": (Qwen2Config, Qwen2ForCausalLM), "llama": (LlamaConfig, LlamaForCausalLM)}
    if arch not in classes:
        raise ValueError(f"unknown arch {arch!r}; expected one of {sorted(classes)}")
    out = Path(out_dir)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=train_chat_tokenizer(),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        model_max_length=4096,
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    tokenizer.save_pretrained(out)
    config_class, model_class = classes[arch]
    config = config_class(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
        # Untied, a random network writes varied text; tied, it repeats one token.
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = model_class(config).eval()
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    model.save_pretrained(out)
    return out
