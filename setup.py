"""Ship the top-level ``prompts/`` templates inside the wheel as ``service/prompts_data/``.

Everything else is configured in ``pyproject.toml``. ``prompts/`` stays at the top of the
repository (where users look for it) yet must be package data for a non-editable install;
setuptools cannot map a folder outside the package into it while packages are discovered
with ``find``, so ``build_py`` copies it. An editable install reads ``prompts/`` directly
(see ``service.prompts.packaged_dir``).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROMPTS = Path(__file__).resolve().parent / "prompts"


class BuildPyWithPrompts(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "service" / "prompts_data"
        self.mkpath(str(target))
        for template in sorted(PROMPTS.glob("*.j2")):
            self.copy_file(str(template), str(target / template.name))


setup(cmdclass={"build_py": BuildPyWithPrompts})
