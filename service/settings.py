"""One settings table for every interface.

Precedence, lowest to highest: the defaults below, ``AUDARMA_<NAME>`` environment variables,
then explicit overrides (CLI flags, constructor arguments, HTTP options). Keeping one table
means the CLI, the HTTP API, the page and the evaluator cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from .errors import ConfigError

ENV_PREFIX = "AUDARMA_"
#: The words a true/false setting accepts, case-insensitively (environment variables too).
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def is_true(value: str | None) -> bool:
    """Whether an environment-style value says yes (``1``, ``true``, ``yes``, ``on``)."""
    return (value or "").strip().lower() in TRUE_WORDS


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "audarma")


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "audarma")


def parse_auth(spec: str) -> tuple[str, str] | None:
    """``"user:password"`` -> ``(user, password)``; an empty string turns auth off."""
    if not spec:
        return None
    user, sep, password = spec.partition(":")
    if not sep or not user or not password:
        raise ConfigError("auth expects 'user:password' with both parts non-empty")
    return user, password


@dataclass(frozen=True)
class Settings:
    """Every tunable of Audarma, with its default. See the README for each one's meaning."""

    # --- translation ---
    model: str = "facebook/nllb-200-distilled-600M"
    #: ctranslate2 (int8 on CPU) is ~2x the best transformers setting and half its memory.
    engine: str = "ctranslate2"  # ctranslate2 | transformers
    device: str = "auto"  # auto | cpu | cuda
    dtype: str = "auto"  # auto | float32 | bfloat16 | float16
    beam: int = 4
    #: Padded tokens per batch (longest source in the batch x batch size).
    batch_tokens: int = 4096
    max_batch_size: int = 32
    #: A sentence longer than this many source tokens is split at clause boundaries.
    max_sentence_tokens: int = 200
    #: Output token limit per sentence: ratio x source tokens + offset, capped at max_new_tokens.
    max_length_ratio: float = 2.0
    max_length_offset: int = 16
    max_new_tokens: int = 512
    normalize_uzbek: bool = True
    threads: int = 0  # 0: let the engine choose for this machine
    #: CTranslate2 on CPU: ``auto`` measures the candidate layouts once per machine and model
    #: (stored next to the converted model), ``default`` uses the built-in policy, or
    #: TRANSLATORSxTHREADS[/split|/shared][:BEAM_ROWS], e.g. ``2x1/split:16``.
    thread_layout: str = "auto"
    #: CTranslate2 weights/compute: auto = int8 on CPU, int8_float16 on CUDA (best supported).
    compute_type: str = "auto"
    #: Restrict Latin-script outputs (en, uz) to Latin and script-neutral tokens: 1.5x faster
    #: with CTranslate2; it can only change an output the full model would have written
    #: partly in another script (docs/speed.md), and such sentences are decoded again in full.
    shortlist: bool = True
    #: Decode a shortlisted sentence once more in full when its output comes out flagged
    #: (untranslated, repetition or truncated), keeping the better of the two.
    shortlist_fallback: bool = True
    #: Batches (CLI folders/JSONL, jobs, Ray): articles translated together, their sentences
    #: pooled into shared batches (corpus mode) so short articles fill the CPU.
    corpus_articles: int = 16
    # --- Ray cluster (``--ray``; the optional extra audarma[ray]) ---
    #: Actors in the pool, each holding one loaded engine; 0: as many as fit the cluster.
    ray_actors: int = 0
    #: CPUs each actor reserves (and its engine's threads, unless ``threads`` is set). Two: on
    #: 2-core machines one engine with both threads (the 2x2 layout, docs/speed.md) and one
    #: copy of the model; on bigger nodes a pool of 2-thread engines (docs/scale.md).
    ray_cpus_per_actor: float = 2.0
    #: GPUs each actor reserves (1: one CTranslate2 engine per GPU, on CUDA).
    ray_gpus_per_actor: float = 0.0
    # --- cache ---
    cache: bool = True
    cache_dir: str = field(default_factory=_default_cache_dir)
    # --- input limits ---
    max_chars: int = 20000
    # --- summaries ---
    summary_strategy: str = "extractive"
    summary_sentences: int = 3
    summary_words: int = 0  # word budget per summary; 0: only the sentence budget applies
    summary_model: str = "csebuetnlp/mT5_multilingual_XLSum"
    llm_model: str = "Qwen/Qwen2.5-1.5B-Instruct"
    prompts_dir: str = ""  # empty: the templates shipped in the package
    # --- server ---
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""  # "user:password" enables basic auth
    concurrency: int = 1
    queue_size: int = 32
    #: Host names the server answers to (comma-separated; ``*.example.org`` for subdomains).
    #: Empty: ``audarma ui`` allows the loopback names when bound to loopback, any otherwise.
    allowed_hosts: str = ""
    trust_remote_code: bool = False
    #: Seconds a stopping server (SIGTERM, Ctrl-C) gives running requests and the article a
    #: job is translating; queued job articles stay in the store for the next start.
    shutdown_timeout: float = 20.0
    log_format: str = "text"  # text | json: one line per request on stderr
    # --- newsroom service: API keys, quotas, jobs (all under data_dir) ---
    #: Where the API keys and the durable jobs live (SQLite files); unlike the cache it holds
    #: state that must not be thrown away.
    data_dir: str = field(default_factory=_default_data_dir)
    #: A key's rate when ``audarma keys add`` is given no ``--rate``: N/second|minute|hour.
    rate_limit: str = "60/minute"
    max_job_articles: int = 1000  # articles in one job; more: 413
    max_queued_articles: int = 10000  # unfinished job articles of all keys; more: 429

    def __post_init__(self) -> None:
        """Refuse values no interface can use, before anything loads or binds."""
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue  # a wrong type is reported by _coerce when it comes from text
            if value < low or (high is not None and value > high):
                bounds = f"at least {low}" if high is None else f"between {low} and {high}"
                raise ConfigError(f"{name} must be {bounds}, got {value} ({_where(name)})")
        self.host_names  # noqa: B018  (validates allowed_hosts)

    @property
    def cache_path(self) -> Path:
        """The SQLite translation cache file."""
        return Path(self.cache_dir) / "translations.sqlite3"

    @property
    def keys_path(self) -> Path:
        """The SQLite file of the API keys."""
        return Path(self.data_dir) / "keys.sqlite3"

    @property
    def jobs_path(self) -> Path:
        """The SQLite file of the durable jobs and their results."""
        return Path(self.data_dir) / "jobs.sqlite3"

    @property
    def host_names(self) -> list[str]:
        """``allowed_hosts`` as a list (IPv6 literals in brackets, as in a Host header)."""
        names = []
        for raw in self.allowed_hosts.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            if ":" in name and not name.startswith("["):
                name = f"[{name}]"
            wildcard = name.startswith("*.") and "*" not in name[1:]
            if name != "*" and not wildcard and not _HOST_NAME.fullmatch(name):
                raise ConfigError(
                    f"allowed_hosts: {raw.strip()!r} is not a host name (e.g. news.example.org,"
                    " *.example.org, 10.0.0.5 or *) (--allowed-hosts, AUDARMA_ALLOWED_HOSTS)"
                )
            names.append(name)
        return names

    @property
    def credentials(self) -> tuple[str, str] | None:
        """``auth`` as ``(user, password)``; ``None`` when basic auth is off."""
        return parse_auth(self.auth)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied; ``None`` values are ignored (flag not given)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **{k: _coerce(k, v) for k, v in changes.items()})

    def to_dict(self) -> dict[str, Any]:
        """All settings, with the basic-auth password hidden."""
        data = dataclasses.asdict(self)
        if data.get("auth"):
            data["auth"] = data["auth"].split(":", 1)[0] + ":***"
        return data


_TYPES = get_type_hints(Settings)

#: Largest beam: wider beams cost time and memory in proportion and do not translate better.
MAX_BEAM = 16
#: ``(setting, lowest, highest or None)``: the values every interface accepts.
_RANGES: tuple[tuple[str, float, float | None], ...] = (
    ("beam", 1, MAX_BEAM),
    ("batch_tokens", 1, None),
    ("max_batch_size", 1, None),
    ("max_sentence_tokens", 3, None),  # the language tag and EOS count too
    ("max_length_ratio", 0, None),
    ("max_length_offset", 0, None),
    ("max_new_tokens", 1, None),
    ("threads", 0, None),
    ("max_chars", 1, None),
    ("port", 1, 65535),
    ("concurrency", 1, None),
    ("queue_size", 0, None),
    ("corpus_articles", 1, None),
    ("ray_actors", 0, None),
    ("ray_cpus_per_actor", 0, None),
    ("ray_gpus_per_actor", 0, None),
    ("shutdown_timeout", 0, None),
    ("max_job_articles", 1, None),
    ("max_queued_articles", 1, None),
)
#: Settings that have a command-line flag of their own (named in errors about them).
_FLAGS = frozenset(
    {"beam", "port", "host", "auth", "concurrency", "queue_size", "max_chars", "allowed_hosts"}
    | {"shutdown_timeout", "max_job_articles", "max_queued_articles", "rate_limit", "data_dir"}
    | {"log_format", "threads", "ray_actors", "ray_cpus_per_actor", "ray_gpus_per_actor"}
)
_HOST_NAME = re.compile(r"\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")


def _where(name: str) -> str:
    """Where a setting's value comes from: its flag (if it has one) and its variable."""
    variable = ENV_PREFIX + name.upper()
    return (
        f"--{name.replace('_', '-')}, {variable}"
        if name in _FLAGS
        else f"setting {name}, {variable}"
    )


def _coerce(name: str, value: Any) -> Any:
    kind = _TYPES[name]
    if isinstance(value, str) and kind is not str:
        text = value.strip()
        try:
            if kind is bool:
                lowered = text.lower()
                if lowered in TRUE_WORDS:
                    return True
                if lowered in FALSE_WORDS:
                    return False
                raise ValueError(text)
            return kind(text)
        except ValueError:
            raise ConfigError(f"setting {name} expects {kind.__name__}, got {value!r}") from None
    return value


def load_settings(
    overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then ``AUDARMA_*`` variables from ``env`` (default: os.environ), then overrides."""
    env = os.environ if env is None else env
    from_env = {
        f.name: env[ENV_PREFIX + f.name.upper()]
        for f in fields(Settings)
        if ENV_PREFIX + f.name.upper() in env
    }
    return Settings().replace(**from_env).replace(**dict(overrides or {}))
