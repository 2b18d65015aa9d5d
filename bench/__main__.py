"""Run every benchmark module in bench/ (each has a main())."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    names = [
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_") and m.name not in ("settings", "urls", "wsgi")
    ]
    if not names:
        print("No benchmarks yet.")
        return 0
    for name in sorted(names):
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
