"""Hypothesis strategies for hostile article text, shared by the fuzz tests.

Articles no newsroom would write: any Unicode (unpaired surrogates included), control
characters, bidirectional marks, tokens thousands of characters long, no punctuation at all.
"""

from __future__ import annotations

from hypothesis import strategies as st

KAZAKH = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБҒДЕҚҢӨҰҮІ"
BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = "".join(map(chr, range(32))) + "\x7f\x85\u2028\u2029\ufeff\u200b\u00ad"
PUNCTUATION = ".!?…;:,—–-«»\"'()[]<>*_#`"
SPACES = [" ", " ", " ", "\n", "\r\n", "\t", "\u00a0", "\u3000"]

words = st.text(KAZAKH, min_size=1, max_size=14)
pieces = st.one_of(
    words,
    words,
    st.sampled_from(SPACES),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(BIDI_MARKS),
    st.sampled_from(CONTROLS),
    st.characters(categories=["Cs"]),  # unpaired surrogates, as JSON's "\ud800" gives them
    st.characters(),  # any other code point
    st.text(KAZAKH, min_size=200, max_size=2500),  # one very long token
    st.text(st.characters(), max_size=8),
)
#: Articles: hostile pieces strung together, or any text at all.
articles = st.one_of(
    st.lists(pieces, max_size=80).map("".join),
    st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=300),
)
