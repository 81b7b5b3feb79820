"""The short load run of ``bench/load.py``: real gunicorn, real forms, no lost write.

Twenty envoys for five seconds against two gunicorn workers on a fresh SQLite
file. It asserts correctness only, never speed: zero errors, and the rows in
the database equal the writes the server acknowledged.
"""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "load.py"


def _load_module():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_twenty_envoys_for_five_seconds_lose_nothing():
    load = _load_module()
    result = load.run_load(
        "sqlite", envoys=20, seconds=5, workers=2, quiet=True, cheap_hash=True
    )
    assert result["errors"] == 0, result["error_kinds"]
    assert result["acked_students"] > 0
    assert result["lost"] == 0
    assert result["students"] == result["acked_students"]
    assert result["interactions"] == result["acked_students"] + result["acked_meetings"]
