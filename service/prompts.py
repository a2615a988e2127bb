"""Prompt templates for the chat-LLM strategies: the packaged ones or the user's own folder.

Templates are Jinja2 files named ``<task>.<language>.j2`` (``summarize.en.j2``). A template
may define a ``system`` and a ``user`` block, which become the two chat messages; without
blocks the whole template is the user message. A user folder (``--prompts DIR``, setting
``prompts_dir``) is searched before the packaged templates, so it can override just one.

The article is untrusted data: it is placed between ``<article>`` and ``</article>`` and
everything in it that could end that block early or open a new chat turn (a forged
``</article>``, the model's own control tokens such as ``<|im_start|>``) is neutralised
*here*, before any template sees it, so a custom template cannot forget to do it.

Where the packaged templates live: the repository's top-level ``prompts/`` folder; a wheel
ships them as ``service/prompts_data/`` (see ``setup.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ConfigError

SUFFIX = ".j2"
#: The tag that delimits the article in every template.
ARTICLE_TAG = "article"
#: U+2060 WORD JOINER: invisible, and breaks a control token's exact-string match.
_JOINER = "\u2060"


def packaged_dir() -> Path:
    """The folder of the packaged templates: inside an installed wheel, or the source tree."""
    package = Path(__file__).resolve().parent
    for folder in (package / "prompts_data", package.parent / "prompts"):
        if folder.is_dir():
            return folder
    raise ConfigError(
        f"the packaged prompt templates are missing (looked in {package / 'prompts_data'});"
        " reinstall audarma or pass --prompts DIR"
    )


def template_name(task: str, language: str) -> str:
    return f"{task}.{language}{SUFFIX}"


def neutralise(text: str, forbidden: Iterable[str] = (), tag: str = ARTICLE_TAG) -> str:
    """``text`` made safe to place between ``<tag>`` and ``</tag>`` as data.

    Every opening or closing ``tag`` inside it gets ``‹ ›`` instead of ``< >`` and every
    ``forbidden`` string (the tokenizer's special tokens) gets an invisible word joiner after
    its first character, so it is read as text, not as a control token. Nothing else changes.
    """
    tokens = sorted({t for t in forbidden if t}, key=len, reverse=True)
    if tokens:
        pattern = re.compile("|".join(re.escape(t) for t in tokens))
        text = pattern.sub(lambda m: m.group()[0] + _JOINER + m.group()[1:], text)
    tag_pattern = re.compile(rf"<(\s*/?\s*{re.escape(tag)}\b[^<>]*)(>?)", re.IGNORECASE)
    return tag_pattern.sub(lambda m: "‹" + m.group(1) + ("›" if m.group(2) else ""), text)


class PromptLibrary:
    """Renders ``<task>.<language>.j2`` templates into chat messages."""

    def __init__(self, folder: str | Path | None = None) -> None:
        from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        folders = [packaged_dir()]
        if folder:
            user = Path(folder).expanduser()
            if not user.is_dir():
                raise ConfigError(
                    f"prompt folder {str(folder)!r} does not exist"
                    " (--prompts DIR, setting prompts_dir)"
                )
            folders.insert(0, user)
        self.folders = folders
        self._env = SandboxedEnvironment(
            loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )

    def names(self) -> list[str]:
        """Every template name available (user folder and packaged ones)."""
        return sorted(name for name in self._env.list_templates() if name.endswith(SUFFIX))

    def template(self, task: str, language: str) -> Any:
        """The compiled template for ``task`` in ``language``; a clear error if it is missing."""
        return self._load(template_name(task, language))

    def _load(self, name: str) -> Any:
        from jinja2 import TemplateNotFound, TemplateSyntaxError

        try:
            return self._env.get_template(name)
        except TemplateNotFound:
            where = ", ".join(str(f) for f in self.folders)
            raise ConfigError(f"no prompt template {name} in {where}") from None
        except TemplateSyntaxError as exc:
            raise ConfigError(f"prompt template {name} line {exc.lineno}: {exc.message}") from None

    def render(
        self,
        task: str,
        code: str,
        *,
        article: str,
        forbidden: Iterable[str] = (),
        **params: Any,
    ) -> list[dict[str, str]]:
        """Chat messages (``system`` if the template has one, then ``user``) for ``article``.

        ``code`` is the summary language's code (it picks the template); ``forbidden``:
        strings to neutralise in the article (the model's special tokens); ``params`` are the
        template's other variables (``sentences``, ``words``, ``language`` ...).
        """
        from jinja2 import TemplateError

        name = template_name(task, code)
        template = self._load(name)
        safe = neutralise(article, forbidden)
        values = {**params, "article": safe}
        try:
            if "user" in template.blocks:
                context = template.new_context(values)
                system = (
                    "".join(template.blocks["system"](context))
                    if "system" in template.blocks
                    else ""
                )
                user = "".join(template.blocks["user"](context))
            else:
                system, user = "", template.render(values)
        except TemplateError as exc:
            raise ConfigError(f"prompt template {name}: {exc}") from None
        if safe.strip() and safe not in user:
            raise ConfigError(
                f"prompt template {name} does not place {{{{ article }}}} in its user message"
            )
        messages = [{"role": "system", "content": system.strip()}] if system.strip() else []
        return [*messages, {"role": "user", "content": user.strip()}]
