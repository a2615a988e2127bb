"""How a benchmark path imposes lengths that random weights never reach by themselves."""

from __future__ import annotations

from service.bench.child import beam_groups


def test_beam_groups_are_the_engines_sub_batches_of_length_sorted_rows():
    lengths = [30, 5, 17, 5, 40, 12, 29, 8, 16, 31]
    groups = beam_groups(lengths, beam=4, beam_rows=16)  # 4 sentences a sub-batch
    assert groups == [[1, 3, 7, 5], [8, 2, 6, 0], [9, 4]]
    assert sorted(i for g in groups for i in g) == list(range(10))


def test_beam_groups_never_go_below_one_row_and_greedy_rows_share_a_call():
    assert beam_groups([3, 1, 2], beam=16, beam_rows=8) == [[1], [2], [0]]
    assert beam_groups([3, 1, 2], beam=1, beam_rows=32) == [[1, 2, 0]]


def test_rows_of_one_length_stay_one_call_for_the_engine_to_split():
    assert beam_groups([7, 7, 7, 7, 7], beam=4, beam_rows=8) == [[0, 1, 2, 3, 4]]
    assert beam_groups([], beam=4, beam_rows=8) == []
