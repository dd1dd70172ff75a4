"""The seeds of the API fuzz (tests/tracker/test_fuzz_api.py): a fixed one, so that every run covers the
same ground, and one that changes with the commit, so that CI explores new inputs over time.

FUZZ_SEEDS=1,2 replays given seeds instead (the README's "Fuzzing the API" says how).
"""

import hashlib
import os
import subprocess
from pathlib import Path

FIXED_SEED = 20230093  # the 2023 plan's 93 projects


def commit_seed() -> int:
    """FUZZ_SEED if set (CI may pass one), else derived from the HEAD commit's hash, else a second
    fixed seed (no git, e.g. an exported tarball)."""
    if os.environ.get("FUZZ_SEED"):
        return int(os.environ["FUZZ_SEED"])
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return FIXED_SEED + 1
    return int(hashlib.sha256(head.encode()).hexdigest()[:8], 16)


def fuzz_seeds() -> list[int]:
    if os.environ.get("FUZZ_SEEDS"):
        return [int(seed) for seed in os.environ["FUZZ_SEEDS"].split(",")]
    return list(dict.fromkeys([FIXED_SEED, commit_seed()]))
