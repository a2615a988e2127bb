"""``audarma keys``: add, list and revoke the API keys of ``audarma ui``.

The keys live hashed in ``DATA_DIR/keys.sqlite3``; a running server sees a change at once.
``keys add`` prints the new key alone on stdout, once, so a script can capture it
(``KEY=$(audarma keys add desk-1)``); it cannot be shown again.
"""

from __future__ import annotations

import argparse

from ..web.keys import KeyStore
from ..web.ratelimit import parse_rate
from .common import Output, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "keys",
        help="manage the HTTP API's keys (add, list, revoke)",
        description=(
            "API keys for `audarma ui`. While at least one key is active, every /api/v1 route"
            " but health needs one (Authorization: Bearer KEY or X-API-Key: KEY), and each key"
            " has a rate. Keys are stored hashed under the data_dir setting"
            " (AUDARMA_DATA_DIR, default ~/.local/share/audarma)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", help="make a key; prints it once on stdout")
    add.add_argument("name", help="who uses it (letters, digits, . _ -), e.g. desk-economy")
    add.add_argument(
        "--rate",
        help="N/second, N/minute or N/hour; without it the key follows the server's rate_limit"
        " setting (default 60/minute)",
    )
    _data_dir_argument(add)
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="names, rates, created, last used (never the key)")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    _data_dir_argument(listing)
    listing.set_defaults(func=run_list)

    revoke = actions.add_parser("revoke", help="revoke a key; servers refuse it at once")
    revoke.add_argument("name")
    _data_dir_argument(revoke)
    revoke.set_defaults(func=run_revoke)


def _data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="where the key store lives (setting data_dir)")


def _store(args: argparse.Namespace) -> KeyStore:
    return KeyStore(settings_from_args(args, data_dir="data_dir").keys_path)


def run_add(args: argparse.Namespace) -> int:
    rate = parse_rate(args.rate) if args.rate is not None else ""
    store = _store(args)
    try:
        key = store.add(args.name, rate)
    finally:
        store.close()
    with Output(None) as out:
        out.write(key)
    return 0


def run_list(args: argparse.Namespace) -> int:
    default = settings_from_args(args).rate_limit
    store = _store(args)
    try:
        keys = store.list()
    finally:
        store.close()
    with Output(None) as out:
        if args.format == "json":
            out.write_json([info.to_dict() for info in keys])
            return 0
        rows = [("NAME", "RATE", "CREATED", "LAST USED", "STATUS")]
        for info in keys:
            data = info.to_dict()
            rows.append(
                (
                    info.name,
                    info.rate or f"default ({default})",
                    str(data["created"]),
                    str(data["last_used"] or "never"),
                    f"revoked {data['revoked']}" if info.revoked else "active",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            out.write("  ".join(cells).rstrip())
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        store.revoke(args.name)
    finally:
        store.close()
    return 0
