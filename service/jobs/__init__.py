"""Durable records of batch work: what was done, by which system, so a rerun resumes.

``store`` keeps append-only JSONL records with a run identity; CLI batches and the
evaluation runner write through it, so a crash loses at most the article in flight and a
rerun with other settings cannot silently mix two systems in one output.
"""
