"""Evaluation: metrics with signatures and intervals, datasets, the resumable batch runner,
reports and paired comparisons between runs."""
