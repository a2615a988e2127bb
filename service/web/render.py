"""HTML for the page: the sentence-aligned view, summaries and the score table.

Pure functions of the result objects, kept apart from the Gradio wiring so they can be tested
on exact content. Every piece of text is escaped: articles and model outputs are untrusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from ..checks import ALL_FLAGS
from ..languages import SOURCES, language_name
from ..results import SentencePair, TranslationResult
from ..text import UNKNOWN, Detection

#: What each QA flag means, shown as the badge's tooltip and in the legend.
FLAG_HELP: dict[str, str] = ALL_FLAGS

#: Styles for the classes below, given to Gradio as the page's CSS.
CSS = """
.aud-aligned table, .aud-scores table { border-collapse: collapse; width: 100%; }
.aud-aligned table { table-layout: fixed; }
.aud-aligned td { overflow-wrap: anywhere; }
.aud-aligned th, .aud-aligned td, .aud-scores th, .aud-scores td {
  border: 1px solid var(--border-color-primary); padding: 6px 8px; vertical-align: top;
  text-align: left; }
.aud-aligned tr.aud-paragraph td { background: var(--background-fill-secondary);
  font-size: 0.85em; font-weight: 600; }
.aud-aligned td.aud-flagged { background: rgba(234, 179, 8, 0.16); }
.aud-flag { display: inline-block; margin: 2px 4px 0 0; padding: 0 6px; border-radius: 8px;
  background: #b45309; color: #fff; font-size: 0.8em; white-space: nowrap; }
.aud-legend { font-size: 0.85em; margin-top: 6px; }
.aud-lang { font-size: 0.75em; padding: 0 4px; border: 1px solid var(--border-color-primary);
  border-radius: 6px; }
.aud-summary { margin-bottom: 12px; }
.aud-scores code { font-size: 0.8em; word-break: break-all; }
.aud-empty { color: var(--body-text-color-subdued); }
"""


#: ISO 15924 codes as the page names them.
SCRIPT_NAMES = {"Cyrl": "Cyrillic", "Latn": "Latin", "Arab": "Arabic", "mixed": "mixed"}


def detection_line(found: Detection) -> str:
    """What the article looks like, for the line under it (Markdown; empty for no text)."""
    if found.script == "Zyyy":
        return ""
    script = f"{SCRIPT_NAMES.get(found.script, found.script)} script"
    if found.language == UNKNOWN:
        return f"Detected: language not identified, {script}."
    name = language_name(found.language)
    line = f"Detected: **{escape(name)}** ({escape(found.language)}), {script}, confidence"
    line += f" {found.confidence:.2f}"
    if found.translatable:
        return line + "."
    accepted = " and ".join(f"{lang.name} ({code})" for code, lang in SOURCES.items())
    return f"\u26a0 {line}. Audarma translates {accepted}."


def flag_badges(flags: Iterable[str]) -> str:
    """One visible badge per flag, its meaning as the tooltip."""
    return "".join(
        f'<span class="aud-flag" data-flag="{escape(flag)}"'
        f' title="{escape(FLAG_HELP.get(flag, flag))}">\u26a0 {escape(flag)}</span>'
        for flag in flags
    )


def flag_legend(flags: Iterable[str]) -> str:
    used = list(dict.fromkeys(flags))
    if not used:
        return '<div class="aud-legend">No QA flags.</div>'
    items = "; ".join(f"<b>{escape(f)}</b>: {escape(FLAG_HELP.get(f, f))}" for f in used)
    return f'<div class="aud-legend">QA flags (worth a human look): {items}.</div>'


def aligned_html(result: TranslationResult) -> str:
    """Each source sentence in a row with its translations, paragraph by paragraph."""
    codes = list(result.translations)
    if not codes:
        return '<div class="aud-aligned aud-empty">Nothing translated.</div>'
    first = result.translations[codes[0]]
    head = "".join(
        f"<th>{escape(language_name(code))}</th>" for code in [result.source_language, *codes]
    )
    rows: list[str] = []
    used_flags: list[str] = []
    for p_index, paragraph in enumerate(first.paragraphs):
        label = (
            "Headline" if p_index == 0 and len(first.paragraphs) > 1 else f"Paragraph {p_index + 1}"
        )
        rows.append(f'<tr class="aud-paragraph"><td colspan="{len(codes) + 1}">{label}</td></tr>')
        for s_index, pair in enumerate(paragraph):
            note = (
                f' <span class="aud-lang" title="translated as {escape(language_name(lang))}">'
                f"{escape(lang)}</span>"
                if (lang := pair.source_language)
                else ""
            )
            cells = [f"<td>{escape(pair.source)}{note}</td>"]
            for code in codes:
                other = result.translations[code].paragraphs[p_index][s_index]
                used_flags.extend(other.flags)
                css = ' class="aud-flagged"' if other.flags else ""
                cells.append(
                    f'<td{css} data-lang="{escape(code)}">{escape(other.target)}'
                    f"{'<br>' + flag_badges(other.flags) if other.flags else ''}</td>"
                )
            rows.append(f'<tr class="aud-sentence">{"".join(cells)}</tr>')
    return (
        f'<div class="aud-aligned"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{flag_legend(used_flags)}</div>"
    )


def summaries_html(result: Any) -> str:
    """Each language's summary as a list of its sentences, with its QA flags and what
    triggered them (the unsupported numbers or names)."""
    blocks: list[str] = []
    all_flags: list[str] = []
    summaries: Mapping[str, Any] = result.summaries
    for code, summary in summaries.items():
        flags = list(getattr(summary, "flags", None) or [])
        all_flags.extend(flags)
        details = getattr(summary, "details", None) or {}
        why = "".join(
            f'<div class="aud-legend">{escape(flag)}: {escape(", ".join(items))}</div>'
            for flag, items in details.items()
            if items
        )
        sentences = "".join(f"<li>{escape(s)}</li>" for s in summary.sentences)
        blocks.append(
            f'<div class="aud-summary" data-lang="{escape(code)}">'
            f"<h3>{escape(language_name(code))}</h3>{flag_badges(flags)}{why}"
            f"<ol>{sentences}</ol></div>"
        )
    if not blocks:
        return '<div class="aud-empty">No summaries.</div>'
    warnings = getattr(result, "warnings", None) or []
    notes = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return "".join(blocks) + flag_legend(all_flags) + (f"<ul>{notes}</ul>" if notes else "")


def _number(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else escape(str(value))


def score_table_html(report: Mapping[str, Any]) -> str:
    """The ``audarma score`` JSON as a table: metric, score, 95% CI, signature."""
    rows = []
    for name, metric in report.get("metrics", {}).items():
        ci = metric.get("ci95")
        ci_text = f"{_number(ci[0])} – {_number(ci[1])}" if ci else "—"
        signature = metric.get("signature")
        sig_text = f"<code>{escape(str(signature))}</code>" if signature else "—"
        rows.append(
            f'<tr data-metric="{escape(name)}"><td>{escape(name)}</td>'
            f"<td>{_number(metric.get('score'))}</td><td>{ci_text}</td><td>{sig_text}</td></tr>"
        )
    language = escape(str(report.get("language", "?")))
    normalized = "normalized" if report.get("normalized") else "not normalized"
    caption = f"{report.get('segments', '?')} segments, language {language}, {normalized}"
    head = "<tr><th>metric</th><th>score</th><th>95% CI</th><th>signature</th></tr>"
    return (
        f'<div class="aud-scores"><p>{caption}</p><table><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def translation_text(result: TranslationResult) -> str:
    """The download's plain text: every language under its name."""
    parts = [f"Source language: {language_name(result.source_language)}"]
    if result.date:
        parts.append(f"Date: {result.date}")
    parts.append(f"Model: {result.model.name} ({result.model.engine})")
    for code, translation in result.translations.items():
        parts.append(f"\n== {language_name(code)} ({code}) ==\n{translation.text}")
    if result.warnings:
        parts.append("\n== Warnings ==\n" + "\n".join(result.warnings))
    return "\n".join(parts) + "\n"


def partial_text(paragraphs: Mapping[int, list[SentencePair]] | None) -> str:
    """A translation's text while it is being made: finished paragraphs in their places, an
    ellipsis for each one still in the works before the last finished one."""
    if not paragraphs:
        return ""
    last = max(paragraphs)
    return "\n".join(
        " ".join(pair.target for pair in paragraphs[i]) if i in paragraphs else "…"
        for i in range(last + 1)
    )


def translation_status(result: TranslationResult, seconds: float) -> str:
    """One line for the page (HTML): what was done, how long it took, how much is flagged,
    then each warning. Warnings quote the article, so everything is escaped: the status
    shows markup and Markdown as the text they are, never as images or links."""
    sentences = sum(len(p) for p in next(iter(result.translations.values())).paragraphs)
    flagged = sum(len(t.flagged) for t in result.translations.values())
    names = ", ".join(language_name(code) for code in result.translations)
    line = f"Translated {sentences} sentences into {names} in {seconds:.1f} s."
    line += f" {flagged} translation(s) flagged for review." if flagged else " No QA flags."
    return escape(line) + "".join(f"<br><br>\u26a0 {escape(w)}" for w in result.warnings)
