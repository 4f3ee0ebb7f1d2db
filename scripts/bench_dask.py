"""Benchmark row for `dw-clean --dask local:N` (issue 6), for scripts/bench.py.

    from bench_dask import bench_dask
    row = bench_dask([str(corpus)], workers=2)

runs, in a subprocess, `cleaner.distributed.run_dask(paths, OUT, "local:N")`
(what `dw-clean PATH... --output-dir OUT --dask local:N` does) and returns:

- `seconds`: wall time of the whole command, cluster start and stop included
  (what a user waits for);
- `clean_seconds`: from the first task submitted to the last shard written,
  without the cluster's start-up (about 2-3 s for spawned worker processes);
- `docs`, `docs_per_s`, `mb_per_s` (input bytes, on `seconds`);
- `peak_rss`: bytes, the sum over the process tree (client, scheduler thread,
  nannies and workers), sampled with psutil every 10 ms; without psutil, the
  largest single process (getrusage).

Run alone for a quick look: `python scripts/bench_dask.py PATH... [--workers 1,2]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The child: one run on a new local cluster, its summary as JSON on stdout.
# `if __name__` guard: worker processes are spawned and import the main module.
CHILD = r"""
import json, sys
from cleaner.distributed import run_dask

if __name__ == "__main__":
    out, workers, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    summary = run_dask(paths, out, f"local:{workers}")
    print(json.dumps({"inputs": summary.inputs, "records": summary.records,
                      "seconds": summary.seconds}))
"""


def input_bytes(paths: list[str]) -> int:
    from cleaner.inputs import discover  # noqa: PLC0415 - repository on sys.path

    return sum(os.path.getsize(ref.path) for ref in discover(paths)  # noqa: PTH202
               if ref.path is not None and os.path.isfile(ref.path))  # noqa: PTH113


def run_measured(command: list[str]) -> tuple[float, int, str]:
    """Wall time, peak RSS of the process tree, and stdout of a command."""
    try:
        import psutil  # noqa: PLC0415 - optional
    except ImportError:
        psutil = None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    if psutil is not None:
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.01)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"dask run failed ({process.returncode}): {stderr.decode()[-2000:]}")
    if psutil is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak, stdout.decode()


def bench_dask(paths: list[str], workers: int) -> dict[str, Any]:
    """One `--dask local:{workers}` run over `paths` (see the module docstring)."""
    size = input_bytes(paths)
    with tempfile.TemporaryDirectory() as work:
        out = str(Path(work) / "out")
        seconds, peak, stdout = run_measured(
            [sys.executable, "-c", CHILD, out, str(workers), *paths])
    summary = json.loads(stdout.strip().splitlines()[-1])
    return {
        "label": f"dw-clean --dask local:{workers}",
        "workers": workers,
        "seconds": seconds,
        "clean_seconds": summary["seconds"],
        "docs": summary["records"],
        "inputs": summary["inputs"],
        "docs_per_s": summary["records"] / seconds,
        "mb_per_s": size / seconds / 1e6,
        "peak_rss": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--workers", default="1,2", help="comma-separated (default: 1,2)")
    args = parser.parse_args()
    for workers in (int(n) for n in args.workers.split(",")):
        row = bench_dask(args.paths, workers)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in row.items()}))


if __name__ == "__main__":
    main()
