"""Run every benchmark: `python -m bench` (or `make bench`)."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    wanted = set(sys.argv[1:])
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("bench_") and (not wanted or module.name in wanted):
            print(f"== {module.name}")
            importlib.import_module(f"bench.{module.name}").main()


if __name__ == "__main__":
    main()
