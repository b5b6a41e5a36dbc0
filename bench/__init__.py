"""Benchmarks: see bench/run.py. They run as this package, from the project root: python -m bench.run"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
