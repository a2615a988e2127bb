"""Metrics: identical to sacrebleu on the bundled NTREX data, folding, bootstrap intervals."""

from __future__ import annotations

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER

from service.errors import ConfigError, InputError
from service.evaluation.metrics import (
    ROUGE_METRICS,
    Scorer,
    parse_metrics,
    percentile_interval,
    resample_counts,
)
from service.text import fold_uzbek_apostrophes
from service.text.files import read_lines
from tests.data import NTREX


@pytest.fixture(scope="module")
def ntrex():
    return {
        name: read_lines(NTREX / f"{name}.txt") for name in ("eng-US", "eng-GB", "eng-src", "uzb")
    }


def sacrebleu_metrics():
    return {"bleu": BLEU(), "chrf++": CHRF(word_order=2), "ter": TER()}


def typed_uzbek(lines: list[str]) -> list[str]:
    """Uzbek as keyboards type it: ASCII apostrophes for ʻ and ʼ."""
    return [line.replace("\u02bb", "'").replace("\u02bc", "'") for line in lines]


def test_scores_and_signatures_equal_sacrebleu(ntrex):
    hyps, refs = ntrex["eng-US"][:400], [ntrex["eng-GB"][:400]]
    report = Scorer("en", n_bootstrap=0).score(hyps, refs)
    assert report.segments == 400 and report.language == "en" and report.normalized is False
    for name, metric in sacrebleu_metrics().items():
        expected = metric.corpus_score(hyps, refs)
        assert report.metrics[name].score == expected.score
        assert report.metrics[name].signature == f"{metric.get_signature().format()}|uzapos:none"
        assert report.metrics[name].ci95 is None


def test_two_references_equal_sacrebleu(ntrex):
    hyps, refs = ntrex["eng-src"][:400], [ntrex["eng-US"][:400], ntrex["eng-GB"][:400]]
    report = Scorer("en", n_bootstrap=0).score(hyps, refs)
    for name, metric in sacrebleu_metrics().items():
        assert report.metrics[name].score == metric.corpus_score(hyps, refs).score
        assert report.metrics[name].signature.startswith("nrefs:2|")


def test_golden_values_on_ntrex(ntrex):
    """Numbers measured once: a silent change of behaviour (ours or sacrebleu's) shows here."""
    scorer = Scorer("en", ["bleu", "chrf++", "ter", "rouge"], n_bootstrap=0)
    report = scorer.score(ntrex["eng-US"], [ntrex["eng-GB"]])
    got = {name: round(score.score, 4) for name, score in report.metrics.items()}
    assert got == {
        "bleu": 99.0511,
        "chrf++": 99.6336,
        "ter": 0.4156,
        "rouge1": 99.6112,
        "rouge2": 99.1904,
        "rougeL": 99.6112,
    }
    # The first 200 lines misaligned by one: little overlap, so the low end is pinned too.
    us, gb = ntrex["eng-US"][:200], ntrex["eng-GB"][:200]
    report = scorer.score(us[1:] + us[:1], [gb])
    got = {name: round(score.score, 4) for name, score in report.metrics.items()}
    assert got == {
        "bleu": 1.8356,
        "chrf++": 17.5917,
        "ter": 120.0984,
        "rouge1": 15.0988,
        "rouge2": 2.7062,
        "rougeL": 11.8748,
    }


def test_uzbek_apostrophe_folding_on_ntrex(ntrex):
    ref = ntrex["uzb"][:400]
    hyp = typed_uzbek(ref)
    folded = Scorer("uz", n_bootstrap=0).score(hyp, [ref])
    raw = Scorer("uz", normalize=False, n_bootstrap=0).score(hyp, [ref])
    assert folded.normalized is True and raw.normalized is False
    for name, metric in sacrebleu_metrics().items():
        fold = [fold_uzbek_apostrophes(line) for line in ref]
        assert folded.metrics[name].score == metric.corpus_score(fold, [fold]).score
        assert raw.metrics[name].score == metric.corpus_score(hyp, [ref]).score
        assert folded.metrics[name].signature.endswith("|uzapos:fold")
        assert raw.metrics[name].signature.endswith("|uzapos:none")


def test_golden_folding_effect_on_ntrex(ntrex):
    """Typed apostrophes against the NTREX Uzbek reference: folding alone is worth 13.4 BLEU."""
    hyp, ref = typed_uzbek(ntrex["uzb"]), [ntrex["uzb"]]
    folded = Scorer("uz", ["bleu"], n_bootstrap=0).score(hyp, ref)
    raw = Scorer("uz", ["bleu"], normalize=False, n_bootstrap=0).score(hyp, ref)
    assert round(folded.metrics["bleu"].score, 4) == 100.0
    assert round(raw.metrics["bleu"].score, 4) == 86.5692


def test_folding_applies_to_uzbek_only():
    report = Scorer("en", ["bleu"], n_bootstrap=0).score(["don't"], [["don’t"]])
    assert report.normalized is False
    assert report.metrics["bleu"].score == BLEU().corpus_score(["don't"], [["don’t"]]).score


def test_bootstrap_interval_matches_sacrebleus_own_bootstrap(ntrex):
    hyps, refs = ntrex["eng-src"][:300], [ntrex["eng-GB"][:300]]
    report = Scorer("en", n_bootstrap=1000, seed=12345).score(hyps, refs)
    for name, metric in sacrebleu_metrics().items():
        theirs = metric.corpus_score(hyps, refs, n_bootstrap=1000)  # SACREBLEU_SEED 12345
        low, high = report.metrics[name].ci95
        assert (high - low) / 2 == pytest.approx(theirs._ci, abs=1e-4)
        assert report.metrics[name].signature == (f"{metric.get_signature().format()}|uzapos:none")
        assert "|bs:1000|seed:12345|" in report.metrics[name].signature


def test_bootstrap_interval_sanity(ntrex):
    hyps, refs = ntrex["eng-US"][1:400] + ntrex["eng-US"][:1], [ntrex["eng-GB"][:400]]
    full = Scorer("en", ["chrf++", "rouge1"], n_bootstrap=500, seed=7).score(hyps, refs)
    small = Scorer("en", ["chrf++", "rouge1"], n_bootstrap=500, seed=7).score(
        hyps[:60], [refs[0][:60]]
    )
    again = Scorer("en", ["chrf++", "rouge1"], n_bootstrap=500, seed=7).score(hyps, refs)
    other = Scorer("en", ["chrf++", "rouge1"], n_bootstrap=500, seed=8).score(hyps, refs)
    for name in ("chrf++", "rouge1"):
        low, high = full.metrics[name].ci95
        assert low < full.metrics[name].score < high
        assert high - low < small.metrics[name].ci95[1] - small.metrics[name].ci95[0]
        assert again.metrics[name].ci95 == (low, high)  # seeded: reproducible
        assert other.metrics[name].ci95 != (low, high)


def test_resample_counts_and_percentiles():
    counts = resample_counts(5, 200, seed=1)
    assert counts.shape == (200, 5) and (counts.sum(axis=1) == 5).all()
    scores = list(range(1000))
    assert percentile_interval(scores) == (25.0, 974.0)


def test_subset_scores_equal_sacrebleu_on_the_subset(ntrex):
    hyps, refs = ntrex["eng-src"][:50], ntrex["eng-GB"][:50]
    stats = Scorer("en", n_bootstrap=0).statistics(hyps, [refs])
    subset = range(10, 25)
    for name, metric in sacrebleu_metrics().items():
        expected = metric.corpus_score(hyps[10:25], [refs[10:25]]).score
        assert stats[name].score(subset) == expected


def test_variable_number_of_references():
    hyps = ["the cat sat", "a dog ran"]
    refs = [["the cat sat", "a dog walked"], [None, "a dog ran"]]
    report = Scorer("en", ["bleu", "rouge1"], n_bootstrap=0).score(hyps, refs)
    assert report.metrics["bleu"].score == BLEU().corpus_score(hyps, refs).score
    assert report.metrics["bleu"].signature.startswith("nrefs:var|")
    assert report.metrics["rouge1"].score == 100.0


def test_to_dict_shape():
    report = Scorer("kk", ["bleu", "rougeL"], n_bootstrap=20).score(["бір екі"], [["бір екі"]])
    data = report.to_dict()
    assert set(data) == {"segments", "language", "normalized", "metrics"}
    assert list(data["metrics"]) == ["bleu", "rougeL"]
    assert set(data["metrics"]["bleu"]) == {"score", "signature", "ci95"}
    assert data["metrics"]["rougeL"]["ci95"] == [100.0, 100.0]


def test_parse_metrics():
    assert parse_metrics("bleu, ROUGE ,chrf++,bleu") == ["bleu", *ROUGE_METRICS, "chrf++"]
    assert parse_metrics(["ter", "rougel"]) == ["ter", "rougeL"]
    with pytest.raises(ConfigError, match="unknown metric 'meteor'"):
        parse_metrics("bleu,meteor")
    with pytest.raises(ConfigError, match="no metric"):
        parse_metrics(" , ")


@pytest.mark.parametrize(
    ("hyps", "refs", "message"),
    [
        ([], [[]], "nothing to score"),
        (["a", "b"], [["a"]], "reference 1 has 1 segments but there are 2 hypotheses"),
        (["a"], [], "at least one reference stream"),
        (["a"], [[None]], "segment 1 has no reference"),
        ("ab", [["a", "b"]], "hypotheses must be a list of strings"),
    ],
)
def test_bad_input_is_one_clear_error(hyps, refs, message):
    with pytest.raises(InputError, match=message):
        Scorer("en", n_bootstrap=0).score(hyps, refs)


def test_bad_configuration():
    with pytest.raises(ConfigError, match="bootstrap"):
        Scorer("en", n_bootstrap=-1)
    with pytest.raises(Exception, match="unknown language 'fr'"):
        Scorer("fr")
