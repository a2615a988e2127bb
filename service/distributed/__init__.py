"""The corpus runner on a Ray cluster (optional extra ``audarma[ray]``).

``audarma translate CORPUS --out DIR --ray local|auto|ADDRESS`` and ``audarma eval ... --ray``
run the same corpus-mode work as one process does, in a pool of Ray actors that each hold one
loaded engine. The driver stays the only writer of the results (:mod:`service.jobs.shards`,
:class:`service.jobs.store.RunStore`), so resume and exactly-once are decided in one place,
not by Ray's retries. Ray is imported only here and only when a job runs.
"""
