"""User-facing errors.

Every interface (CLI, HTTP, page) turns an :class:`AudarmaError` into a one-line message
(CLI: stderr + non-zero exit; HTTP: a 4xx JSON body; page: a visible message). Anything that
is *not* an ``AudarmaError`` is a bug and is allowed to surface as one.
"""

from __future__ import annotations


class AudarmaError(Exception):
    """Base class: the message is a complete, one-line explanation for the user."""

    #: HTTP status the API answers with.
    status_code = 400


class InputError(AudarmaError):
    """The text or file given cannot be used (empty, undecodable, malformed)."""


class InputTooLargeError(InputError):
    """The text is over the configured size limit."""

    status_code = 413


class LanguageError(AudarmaError):
    """An unknown or unsupported language code."""


class ModelLoadError(AudarmaError):
    """A model could not be found or loaded; the message says how to get it."""

    status_code = 503


class ConfigError(AudarmaError):
    """A setting or option has a value that cannot be used."""
