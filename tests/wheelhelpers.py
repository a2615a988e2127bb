"""The installed wheel the ``built_wheel`` fixture hands to packaging tests."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class InstalledWheel:
    """The built wheel and a folder it is installed into.

    A pure-Python wheel installs by unpacking, so ``site`` on ``PYTHONPATH`` is an install
    that cannot see the repository's ``prompts/``, ``seeds/`` or ``eval/`` folders.
    """

    wheel: Path
    site: Path

    def run_json(self, code: str) -> Any:
        """Run ``code`` against the install alone; the JSON it prints as its last line."""
        ran = subprocess.run(
            [sys.executable, "-c", code],
            cwd=self.site.parent,
            env={"PYTHONPATH": str(self.site), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
        assert ran.returncode == 0, ran.stderr[-2000:]
        return json.loads(ran.stdout.splitlines()[-1])
