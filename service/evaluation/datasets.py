"""Evaluation sets (DESIGN §4): JSONL documents and NTREX-style line-aligned folders.

Both load into the same :class:`EvalDataset`: documents with Kazakh source segments,
sentence-aligned reference streams per language, and reference summaries per language. The
article a document stands for is its segments, one per line, which is what document mode
translates.

JSONL, one document per line::

    {"id": "doc-1", "source": ["Бірінші сөйлем.", "Екінші сөйлем."],
     "references": {"en": [["First.", "Second."], ["Second reference 1.", "... 2."]],
                    "uz": [["Birinchi.", "Ikkinchi."]]},
     "summaries": {"kk": ["Тақырып"], "en": ["Headline", "Another headline"]},
     "date": "2025-10-17"}

``source`` may also be a string (one segment per non-blank line); a single reference may be
given as a flat list, a single summary as a string. ``references``, ``summaries`` and ``date``
are optional: a document without references is translated and summarised but not scored.

NTREX-style folder: ``kaz.txt`` (source), ``uzb.txt``, ``eng-US.txt`` and ``eng-GB.txt``
(references, English twice), ``doc_ids.tsv`` (the document of each line). Each document's first
line is its headline: it becomes the reference *summary* of the rest, and lines 2..n are the
segments and their sentence-aligned references. ``eng-src.txt`` (the original English) is not
a reference.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import AudarmaError, InputError
from ..languages import SOURCE_LANGUAGE, get_language
from ..text.files import loads_json, read_lines, split_lines

#: NTREX file stem -> Audarma language code, in reference order.
NTREX_REFERENCES = (("uzb", "uz"), ("eng-US", "en"), ("eng-GB", "en"))
NTREX_SOURCE = "kaz"
NTREX_DOC_IDS = "doc_ids.tsv"


@dataclass(frozen=True)
class EvalDocument:
    """One document: source segments, reference streams and reference summaries."""

    id: str
    source: list[str]
    #: language -> reference streams, each line-aligned with ``source``.
    references: dict[str, list[list[str]]] = field(default_factory=dict)
    #: language -> reference summaries (one or more).
    summaries: dict[str, list[str]] = field(default_factory=dict)
    date: str | None = None

    @property
    def text(self) -> str:
        """The article as document mode translates it: one segment per line."""
        return "\n".join(self.source)


@dataclass(frozen=True)
class EvalDataset:
    """A named list of documents and where it came from."""

    name: str
    path: str
    format: str
    documents: list[EvalDocument]

    @property
    def segments(self) -> int:
        return sum(len(doc.source) for doc in self.documents)

    def fingerprint(self) -> str:
        """A hash of every document's id, source, references and summaries.

        Two runs can be compared, or a run resumed, only on the same data; the path alone does
        not prove that.
        """
        digest = hashlib.sha256()
        for doc in self.documents:
            payload = [doc.id, doc.source, doc.references, doc.summaries]
            digest.update(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode())
            digest.update(b"\n")
        return digest.hexdigest()[:16]

    def head(self, limit: int | None) -> EvalDataset:
        """The first ``limit`` documents (all of them when ``limit`` is None)."""
        if limit is None:
            return self
        if limit < 1:
            raise InputError(f"--limit must be at least 1, not {limit}")
        return replace(self, documents=self.documents[:limit])

    def languages(self) -> list[str]:
        """Languages that have references in at least one document."""
        found = {lang for doc in self.documents for lang in doc.references}
        return [lang for lang in ("en", "uz", "kk") if lang in found]


def load_dataset(path: str | Path) -> EvalDataset:
    """Load a JSONL file or an NTREX-style folder."""
    source = Path(path)
    if source.is_dir():
        if not (source / NTREX_DOC_IDS).is_file():
            raise InputError(
                f"{path} is a folder without {NTREX_DOC_IDS}; give an NTREX-style folder or a"
                " .jsonl file"
            )
        return load_ntrex(source)
    if not source.exists():
        raise InputError(f"no such dataset: {path}")
    return load_jsonl(source)


# ------------------------------------------------------------------------------ NTREX folders
def load_ntrex(folder: Path) -> EvalDataset:
    """Read an NTREX-style folder; every document's headline becomes its reference summary."""
    doc_ids = [line.split("\t")[0].strip() for line in read_lines(folder / NTREX_DOC_IDS)]
    if not doc_ids:
        raise InputError(f"{folder / NTREX_DOC_IDS} is empty")
    files = {NTREX_SOURCE: read_lines(folder / f"{NTREX_SOURCE}.txt")}
    for stem, _ in NTREX_REFERENCES:
        if (folder / f"{stem}.txt").is_file():
            files[stem] = read_lines(folder / f"{stem}.txt")
    for stem, lines in files.items():
        if len(lines) != len(doc_ids):
            raise InputError(
                f"{folder / (stem + '.txt')} has {len(lines)} lines but {NTREX_DOC_IDS} has"
                f" {len(doc_ids)}"
            )
    documents = []
    for doc_id, rows in _document_runs(doc_ids, folder / NTREX_DOC_IDS):
        headline, body = rows[0], rows[1:]
        if not body:
            raise InputError(f"document {doc_id} in {folder} has a headline but no body lines")
        references: dict[str, list[list[str]]] = {}
        summaries: dict[str, list[str]] = {SOURCE_LANGUAGE: [files[NTREX_SOURCE][headline]]}
        for stem, lang in NTREX_REFERENCES:
            if stem in files:
                references.setdefault(lang, []).append([files[stem][i] for i in body])
                summaries.setdefault(lang, []).append(files[stem][headline])
        source = [files[NTREX_SOURCE][i] for i in body]
        documents.append(EvalDocument(doc_id, source, references, summaries))
    return EvalDataset(folder.name, str(folder.resolve()), "ntrex", documents)


def _document_runs(doc_ids: Sequence[str], origin: Path) -> Iterable[tuple[str, list[int]]]:
    """(id, line indices) of each document; a document's lines must be contiguous."""
    seen: set[str] = set()
    start = 0
    for index in range(1, len(doc_ids) + 1):
        if index == len(doc_ids) or doc_ids[index] != doc_ids[start]:
            doc_id = doc_ids[start]
            if not doc_id:
                raise InputError(f"{origin}:{start + 1}: empty document id")
            if doc_id in seen:
                raise InputError(f"{origin}:{start + 1}: the lines of {doc_id} are not contiguous")
            seen.add(doc_id)
            yield doc_id, list(range(start, index))
            start = index


# ------------------------------------------------------------------------------ JSONL files
def load_jsonl(path: Path) -> EvalDataset:
    """Read a JSONL evaluation set (format in the module docstring)."""
    documents: list[EvalDocument] = []
    seen: set[str] = set()
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = loads_json(line)
        except ValueError:
            raise InputError(f"{path}:{number}: not a JSON object") from None
        try:
            doc = _document(record)
        except AudarmaError as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
        if doc.id in seen:
            raise InputError(f"{path}:{number}: document id {doc.id!r} appears twice")
        seen.add(doc.id)
        documents.append(doc)
    if not documents:
        raise InputError(f"{path} has no documents")
    return EvalDataset(path.stem, str(path.resolve()), "jsonl", documents)


def _document(record: Any) -> EvalDocument:
    if not isinstance(record, dict):
        raise InputError("expected a JSON object")
    if not isinstance(record.get("id"), (str, int)) or isinstance(record.get("id"), bool):
        raise InputError('expected an "id" (string or number)')
    doc_id = str(record["id"])
    source = record.get("source", record.get("text"))
    if isinstance(source, str):
        source = [line.strip() for line in split_lines(source) if line.strip()]
    if not _strings(source) or not source:
        raise InputError(f'{doc_id}: "source" must be a non-empty list of strings (or a text)')
    references = {}
    for lang, streams in _mapping(record.get("references"), "references", doc_id).items():
        if _strings(streams):
            streams = [streams]
        if not isinstance(streams, list) or not streams or not all(_strings(s) for s in streams):
            raise InputError(f"{doc_id}: references for {lang} must be lists of strings")
        for stream in streams:
            if len(stream) != len(source):
                raise InputError(
                    f"{doc_id}: a {lang} reference has {len(stream)} segments but the source"
                    f" has {len(source)}"
                )
        references[lang] = [list(s) for s in streams]
    summaries = {}
    for lang, texts in _mapping(record.get("summaries"), "summaries", doc_id).items():
        if isinstance(texts, str):
            texts = [texts]
        if not _strings(texts) or not texts or not all(t.strip() for t in texts):
            raise InputError(f"{doc_id}: summaries for {lang} must be non-empty strings")
        summaries[lang] = list(texts)
    date = record.get("date")
    if date is not None and not isinstance(date, str):
        raise InputError(f'{doc_id}: "date" must be a string')
    return EvalDocument(doc_id, list(source), references, summaries, date)


def _mapping(value: Any, key: str, doc_id: str) -> dict[str, Any]:
    """A language -> value mapping with the languages checked and normalised to short codes."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f'{doc_id}: "{key}" must be an object keyed by language')
    return {get_language(lang).code: item for lang, item in value.items()}


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
