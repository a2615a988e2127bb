"""ROUGE: Unicode tokens (Cyrillic, Uzbek Latin), exact F-measures, LCS, multi-reference max."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service import __version__
from service.evaluation.metrics import Scorer
from service.evaluation.rouge import ROUGE, lcs_length, ngram_f, ngrams, rouge_l_f, tokenize

KAZAKH = "Қазақстан мен Өзбекстан денсаулық сақтау саласындағы ынтымақтастықты тереңдете түседі"
UZBEK = "Oʻzbekiston va Qozogʻiston sogʻliqni saqlash sohasida hamkorlikni chuqurlashtiradi"


def rouge(variant: str, hyp: str, refs: list[str]) -> float:
    return ROUGE(variant).corpus_score([hyp], [[r] for r in refs]).score


def test_tokenize_keeps_every_script_and_folds_case():
    assert tokenize("ҚАЗАҚСТАН, Өзбекстан!") == ["қазақстан", "өзбекстан"]
    assert tokenize("Oʻzbekiston maʼno") == ["oʻzbekiston", "maʼno"]  # ʻ ʼ are letters
    assert tokenize("O'zbekiston") == ["o", "zbekiston"]  # ' is punctuation
    assert tokenize("snake_case 2025-10-17 x") == ["snake", "case", "2025", "10", "17", "x"]


def test_tokenize_composes_decomposed_letters():
    decomposed = "и\u0306"  # и + combining breve: NFC makes it й
    assert tokenize(f"Қа{decomposed}рат") == tokenize("Қайрат") == ["қайрат"]


@pytest.mark.parametrize("text", [KAZAKH, UZBEK])
@pytest.mark.parametrize("variant", ["1", "2", "L"])
def test_identical_non_latin_texts_score_100(variant, text):
    # google's rouge-score tokenizer keeps [a-z0-9] only and gives identical Kazakh texts 0.
    assert rouge(variant, text, [text]) == 100.0


def test_exact_f_measures_on_cyrillic():
    hyp = "бір екі үш төрт"
    ref = "бір екі бес төрт"
    assert rouge("1", hyp, [ref]) == pytest.approx(75.0)  # 3 of 4 unigrams both ways
    assert rouge("2", hyp, [ref]) == pytest.approx(100 / 3)  # "бір екі" of 3 bigrams
    assert rouge("L", hyp, [ref]) == pytest.approx(75.0)  # LCS бір екі төрт
    # Unequal lengths: P = 2/2, R = 2/4 -> F = 2/3.
    assert rouge("1", "бір екі", [ref]) == pytest.approx(200 / 3)


def test_uzbek_latin_apostrophes_count_only_when_folded():
    written = "Oʻzbekiston sogʻliqni saqlash"
    typed = "O'zbekiston sog'liqni saqlash"
    # typed: o, zbekiston, sog, liqni, saqlash; written: oʻzbekiston, sogʻliqni, saqlash
    assert rouge("1", typed, [written]) == pytest.approx(25.0)  # P 1/5, R 1/3
    for metric in ("rouge1", "rouge2", "rougeL"):
        folded = Scorer("uz", [metric], n_bootstrap=0).score([typed], [[written]])
        assert folded.metrics[metric].score == 100.0
        raw = Scorer("uz", [metric], normalize=False, n_bootstrap=0).score([typed], [[written]])
        assert raw.metrics[metric].score < 50.0


def test_multiple_references_take_the_best_per_segment():
    refs = ["мүлде басқа сөздер", "бір екі үш"]
    assert rouge("1", "бір екі үш", refs) == 100.0
    assert rouge("1", "бір екі үш", refs[:1]) == 0.0


def test_corpus_score_is_the_mean_of_segment_scores():
    hyps = ["бір екі", "үш төрт", "бес"]
    refs = ["бір екі", "үш алты", "жеті"]
    score = ROUGE("1").corpus_score(hyps, [refs]).score
    assert score == pytest.approx((100.0 + 50.0 + 0.0) / 3)


def test_empty_hypothesis_scores_zero():
    assert rouge("1", "", ["бір"]) == 0.0
    assert rouge("L", "...", ["бір"]) == 0.0


def test_ngram_helpers():
    assert ngrams(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert ngram_f(ngrams(["a"], 1), ngrams(["a", "a"], 1)) == pytest.approx(2 / 3)
    assert rouge_l_f(["a", "b", "c"], ["c", "b", "a"]) == pytest.approx(1 / 3)


def _lcs_table(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = (
                table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
            )
    return table[-1][-1]


@given(
    st.lists(st.sampled_from("абвгд"), max_size=40),
    st.lists(st.sampled_from("абвгд"), max_size=40),
)
def test_bit_parallel_lcs_matches_dynamic_programming(a, b):
    assert lcs_length(a, b) == _lcs_table(a, b)


def test_signature_names_the_tokenizer_and_aggregation():
    report = Scorer("kk", ["rougeL"], n_bootstrap=10, seed=3).score([KAZAKH], [[KAZAKH]])
    assert report.metrics["rougeL"].signature == (
        "nrefs:1|bs:10|seed:3|tok:unicode-words|case:fold|stem:no|refs:max|agg:mean"
        f"|version:audarma-{__version__}|uzapos:none"
    )
