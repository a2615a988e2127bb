from hypothesis import given
from hypothesis import strategies as st

from service.batching import plan_batches


def test_longest_first_and_budget_respected():
    lengths = [5, 50, 10, 48, 7, 9]
    assert plan_batches(lengths, batch_tokens=100, max_batch_size=8) == [[1, 3], [2, 5, 4, 0]]


def test_max_batch_size():
    assert plan_batches([3] * 5, batch_tokens=1000, max_batch_size=2) == [[0, 1], [2, 3], [4]]


def test_single_item_over_budget_gets_its_own_batch():
    assert plan_batches([500, 2], batch_tokens=100, max_batch_size=8) == [[0], [1]]


def test_empty():
    assert plan_batches([], 100, 8) == []


@given(
    st.lists(st.integers(min_value=0, max_value=300), max_size=60),
    st.integers(min_value=1, max_value=2000),
    st.integers(min_value=1, max_value=40),
)
def test_every_item_once_and_within_limits(lengths, budget, size):
    batches = plan_batches(lengths, budget, size)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= size
        widest = max(max(1, lengths[i]) for i in batch)
        assert len(batch) == 1 or widest * len(batch) <= budget
