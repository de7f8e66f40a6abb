"""The demos package lives at the repository root, next to tinygrad_lite; make it importable however
pytest is started (``python -m pytest`` adds the working directory, plain ``pytest`` does not)."""

import pathlib
import sys

ROOT = str(pathlib.Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
