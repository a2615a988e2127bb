"""Transformers checkpoint -> CTranslate2 model folder, converted once and cached.

Conversion loads the whole float32 checkpoint (seconds for NLLB-600M, minutes for 3.3B), so
``--engine ctranslate2`` converts into a cache folder keyed by *which* model (hub id and
commit, or a local folder's file fingerprint) and *how* it is quantized, and reuses it after.
A conversion is written into a temporary sibling folder and renamed into place only when
complete, under a lock: a crash or a second process can never leave a half model that a
later run mistakes for a finished one.

Besides CTranslate2's files (``model.bin``, ``config.json``, ``shared_vocabulary.json``), a
converted folder carries what the engine needs to run without the source checkpoint: the
tokenizer (``tokenizer/``), the source's ``generation_config.json``, and ``audarma.json``
describing where it came from.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ModelLoadError
from .loading import check_folder, first_line, hub_offline, load_errors, missing_model

log = logging.getLogger(__name__)

#: Weight quantizations CTranslate2 can store (``int8_float32`` stores the same as ``int8``).
QUANTIZATIONS = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)

#: Written last into a converted folder: its presence marks a finished conversion.
MARKER = "audarma.json"
#: Sub-folder holding the tokenizer files, so a converted folder is self-contained.
TOKENIZER_DIR = "tokenizer"
#: Files that make a folder a CTranslate2 model rather than a transformers checkpoint.
_CT2_FILES = ("model.bin",)
#: Files hashed by content in a local checkpoint's fingerprint (small, and they define it).
_HASHED = ("config.json", "generation_config.json", "tokenizer_config.json")


@dataclass(frozen=True)
class ModelSource:
    """A transformers checkpoint to convert: what to load, and a key that changes with it."""

    #: What the converter loads: a local folder path or a hub id.
    location: str
    #: Stable while the checkpoint is unchanged (hub commit, or local files' sizes and times).
    fingerprint: str
    #: A readable name for the cache folder.
    slug: str


def is_ct2_folder(path: str | Path) -> bool:
    """Whether ``path`` is an already converted CTranslate2 model folder."""
    folder = Path(path).expanduser()
    return folder.is_dir() and all((folder / name).is_file() for name in _CT2_FILES)


def normalize_quantization(quantization: str) -> str:
    """Checked and canonical: ``int8_float32`` stores exactly what ``int8`` stores."""
    value = (quantization or "").strip().lower()
    if value not in QUANTIZATIONS:
        raise ConfigError(
            f"unknown quantization {quantization!r}; choose one of: {', '.join(QUANTIZATIONS)}"
        )
    return "int8" if value == "int8_float32" else value


def describe_source(model: str) -> ModelSource:
    """Locate ``model`` (folder or hub id) and fingerprint it without loading its weights."""

    folder = check_folder(model)
    if folder is not None:
        folder = folder.resolve()
        return ModelSource(str(folder), _folder_fingerprint(folder), _slug(folder.name))
    return ModelSource(model, _hub_fingerprint(model), _slug(model))


def _folder_fingerprint(folder: Path) -> str:
    """Small defining files by content, every other file by name, size and mtime."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode())
        if path.name in _HASHED:
            digest.update(path.read_bytes())
        else:
            stat = path.stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _hub_fingerprint(model: str) -> str:
    """The hub id and the commit its cached (or freshly fetched) ``config.json`` belongs to."""
    from huggingface_hub import hf_hub_download

    try:
        config = Path(hf_hub_download(model, "config.json", local_files_only=hub_offline()))
    except load_errors() as exc:
        raise missing_model(model, exc) from exc
    commit = config.parent.name  # .../snapshots/<commit>/config.json
    return hashlib.sha256(f"{model}@{commit}".encode()).hexdigest()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-.") or "model"


def cache_folder(cache_dir: str | Path, source: ModelSource, quantization: str) -> Path:
    """Where ``source`` converted with ``quantization`` lives under ``cache_dir/ct2``."""
    quantization = normalize_quantization(quantization)
    name = f"{source.slug}-{source.fingerprint[:16]}-{quantization}"
    return Path(cache_dir).expanduser() / "ct2" / name


def is_converted(folder: Path) -> bool:
    """A finished conversion (the marker is written last, before the atomic rename)."""
    return (folder / MARKER).is_file() and is_ct2_folder(folder)


def ensure_converted(
    model: str,
    quantization: str,
    cache_dir: str | Path,
    *,
    trust_remote_code: bool = False,
) -> Path:
    """The cached CTranslate2 folder for ``model`` at ``quantization``, converting it if needed.

    A folder that already is a CTranslate2 model is used as it is.
    """
    if is_ct2_folder(model):
        return Path(model).expanduser()
    source = describe_source(model)
    target = cache_folder(cache_dir, source, quantization)
    if is_converted(target):
        return target
    try:
        return convert_model(
            source, target, quantization, trust_remote_code=trust_remote_code, reuse=True
        )
    except OSError as exc:
        if not _unusable(target.parent):
            raise
        scratch = _scratch_dir()
        log.warning(
            "cache_dir %s is not usable for the converted model (%s); converting into a"
            " temporary folder removed at exit (set cache_dir / AUDARMA_CACHE_DIR to a writable"
            " folder to convert once and keep it)",
            cache_dir,
            exc.strerror or exc,
        )
        return convert_model(
            source,
            scratch / target.name,
            quantization,
            trust_remote_code=trust_remote_code,
            reuse=True,
        )


def _unusable(folder: Path) -> bool:
    """Whether ``folder`` cannot hold a conversion: not creatable, or not writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return False
    except OSError:
        return True


_SCRATCH: list[Path] = []


def _scratch_dir() -> Path:
    """This process's temporary folder for conversions (one, removed when Python exits)."""
    if not _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="audarma-ct2-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _SCRATCH.append(folder)
    return _SCRATCH[0]


def convert_model(
    source: ModelSource | str,
    out_dir: str | Path,
    quantization: str = "int8",
    *,
    force: bool = False,
    reuse: bool = False,
    trust_remote_code: bool = False,
) -> Path:
    """Convert ``source`` into ``out_dir`` atomically; returns ``out_dir``.

    ``reuse``: a finished conversion already at ``out_dir`` is returned as is (the cache).
    ``force``: an existing ``out_dir`` is replaced. Otherwise an existing ``out_dir`` is an
    error, so a typo never overwrites a folder the user cares about.
    """
    if isinstance(source, str):
        source = describe_source(source)
    quantization = normalize_quantization(quantization)
    target = Path(out_dir).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        if target.exists():
            if reuse and is_converted(target):
                return target
            if not (force or reuse):
                raise ConfigError(f"{target} already exists; pass --force to replace it")
        _remove_stale_temporaries(target)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            staged = scratch / "model"
            started = time.perf_counter()
            _run_converter(source, staged, quantization, trust_remote_code)
            _save_companions(source.location, staged, trust_remote_code)
            _write_marker(staged, source, quantization, time.perf_counter() - started)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staged, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def _run_converter(
    source: ModelSource, out: Path, quantization: str, trust_remote_code: bool
) -> None:
    from ctranslate2.converters import TransformersConverter

    converter = TransformersConverter(
        source.location, low_cpu_mem_usage=True, trust_remote_code=trust_remote_code
    )
    try:
        converter.convert(str(out), quantization=quantization)
    except (*load_errors(), KeyError, RuntimeError) as exc:
        raise ModelLoadError(
            f"model {source.location!r} cannot be converted to CTranslate2: {first_line(exc)}"
        ) from exc


def _save_companions(location: str, out: Path, trust_remote_code: bool) -> None:
    """The tokenizer and generation defaults, so the converted folder stands alone."""
    from transformers import AutoTokenizer, GenerationConfig

    local = Path(location).is_dir()
    kwargs: dict[str, Any] = {"local_files_only": local or hub_offline()}
    tokenizer = AutoTokenizer.from_pretrained(
        location, trust_remote_code=trust_remote_code, **kwargs
    )
    tokenizer.save_pretrained(out / TOKENIZER_DIR)
    with contextlib.suppress(OSError):  # optional in a checkpoint
        GenerationConfig.from_pretrained(location, **kwargs).save_pretrained(out)


def _write_marker(out: Path, source: ModelSource, quantization: str, seconds: float) -> None:
    import ctranslate2
    from transformers import AutoConfig

    local = Path(source.location).is_dir()
    config = AutoConfig.from_pretrained(source.location, local_files_only=local or hub_offline())
    info = {
        "source": source.location,
        "fingerprint": source.fingerprint,
        "quantization": quantization,
        "max_position_embeddings": getattr(config, "max_position_embeddings", None),
        "vocab_size": getattr(config, "vocab_size", None),
        "ctranslate2": ctranslate2.__version__,
        "conversion_seconds": round(seconds, 2),
    }
    (out / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def read_marker(folder: str | Path) -> dict[str, Any]:
    """The conversion record of a folder converted by Audarma (empty for other folders)."""
    path = Path(folder) / MARKER
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """An exclusive lock per target folder: concurrent runs convert once and share it."""
    import fcntl

    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temporaries(target: Path) -> None:
    """Leftovers of crashed conversions of ``target`` (safe: we hold its lock)."""
    for leftover in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
