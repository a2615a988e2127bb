"""One module per ``audarma`` sub-command; each has ``register(subparsers)``.

The modules only convert arguments and render results: the work happens in the library.
"""
