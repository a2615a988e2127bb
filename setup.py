"""Ship the top-level ``prompts/``, ``seeds/`` and bundled NTREX text inside the wheel.

Everything else is configured in ``pyproject.toml``. ``prompts/`` (the summary templates),
``seeds/`` (the sample article) and ``eval/data/ntrex128-dev/`` (real news text with its
CC BY-SA licence and attribution) stay where users look for them in the repository, yet an
installed ``audarma`` needs them too: the templates to summarize, the seed article and the
NTREX sentences for ``audarma bench --synthetic`` (which trains its small tokenizer on that
text and times those sentences, so the speed numbers are reproducible from a plain install).
setuptools cannot map folders outside the package into it while packages are discovered with
``find``, so ``build_py`` copies them to ``service/prompts_data/`` and ``service/data/``. An
editable install reads the repository folders directly.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: (source folder, file pattern, destination inside the built ``service`` package)
SHIPPED = (
    ("prompts", "*.j2", "prompts_data"),
    ("seeds", "*.txt", "data/seeds"),
    ("eval/data/ntrex128-dev", "*", "data/ntrex128-dev"),
)


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        for source, pattern, destination in SHIPPED:
            target = Path(self.build_lib) / "service" / destination
            self.mkpath(str(target))
            for path in sorted((ROOT / source).glob(pattern)):
                if path.is_file():
                    self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildPyWithData})
