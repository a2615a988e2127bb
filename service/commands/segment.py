"""``audarma segment``: show how an article is cut into paragraphs and sentences."""

from __future__ import annotations

import argparse

from ..languages import get_language
from ..text import paragraph_sentences, parse_article
from .common import Output, add_io_arguments, read_text


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "segment",
        help="split an article into sentences",
        description="Print each sentence on its own line, a blank line between paragraphs.",
    )
    add_io_arguments(parser, file_help="article (UTF-8 text)")
    parser.add_argument(
        "--lang", default="kk", help="language of the text: kk, or ru for razdel (default: kk)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    language = get_language(args.lang).code
    article = parse_article(read_text(args.file))
    paragraphs = paragraph_sentences(article, language)
    with Output(args.out) as out:
        if args.format == "json":
            out.write_json({"date": article.date, "paragraphs": paragraphs})
        else:
            out.write("\n\n".join("\n".join(para) for para in paragraphs))
    return 0
