"""The speed benchmark behind ``audarma bench`` and the synthetic models it measures.

``run`` measures every path (each in a fresh process, ``child``), ``report`` gives the
numbers their meaning (ratios against the naive path, the targets, the table) and
``synthetic`` builds random-weight models of the real architectures offline. Nothing here is
imported by the translation pipeline.
"""
