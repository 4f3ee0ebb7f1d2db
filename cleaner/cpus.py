"""How many CPUs a run may use: the default of `--jobs`.

A container started with `docker run --cpus 2`, a Kubernetes pod with a CPU
limit, or a systemd unit with `CPUQuota=` still sees every core of its host
in its affinity mask: 64 on a large node. A run then started 64 workers on a
quota of 2 CPUs, which the kernel throttles in turn, each with its own
memory (about 40 MB), where 2 workers did the same work. The limit is the
cgroup's CPU bandwidth (quota over period), which joblib/loky and the JVM
read too; `os.process_cpu_count()` (Python 3.13) gives the affinity only.
(loky's `cpu_count` reads the same files, but importing loky takes about
70 ms and a process-pool library; and it looks only at the root of the
cgroup mount, not at the process's own cgroup and its ancestors.)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

CGROUP_ROOT = "/sys/fs/cgroup"
SELF_CGROUP = "/proc/self/cgroup"


def available_cpus(cgroup_root: str = CGROUP_ROOT, self_cgroup: str = SELF_CGROUP) -> int:
    """The CPUs this process may run on, capped by its cgroup's CPU limit."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    limit = cgroup_cpu_limit(cgroup_root, self_cgroup)
    return cpus if limit is None else max(1, min(cpus, limit))


def cgroup_cpu_limit(cgroup_root: str = CGROUP_ROOT, self_cgroup: str = SELF_CGROUP) -> int | None:
    """The tightest CPU limit of this process's cgroup and its ancestors, in
    whole CPUs rounded up (1.5 CPUs can keep 2 workers busy part of the
    time); None where there is none, or no cgroup file system (not Linux).

    Limits nest: a cgroup gets no more than its parent's. In a container the
    process's cgroup is the mount's root ("/"); outside one (a systemd unit)
    it is a path below it. Where a path from /proc/self/cgroup is not under
    the mount (cgroup v1 in Docker shows the host's path), only the
    directories that exist are read, the root last.
    """
    paths = _own_cgroup_paths(_read(Path(self_cgroup)) or "")
    root = Path(cgroup_root)
    limits = list(_limits_along(root, paths.get("", "/"), _v2_limit))
    for mount in _V1_CPU_MOUNTS:
        limits += _limits_along(root / mount, paths.get("cpu", "/"), _v1_limit)
    return min(limits, default=None)


# Where cgroup v1's cpu controller is mounted: "cpu" is usually a link to the
# directory it shares with cpuacct, which some hosts have without the link.
_V1_CPU_MOUNTS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")


def _limits_along(
    mount: Path, cgroup: str, limit_in: Callable[[Path], int | None]
) -> Iterator[int]:
    """The limits set in `cgroup` of the hierarchy mounted at `mount` and in
    the cgroups above it, up to the mount's root."""
    parts = [part for part in cgroup.split("/") if part not in ("", ".", "..")]
    for depth in range(len(parts), -1, -1):
        if (limit := limit_in(mount.joinpath(*parts[:depth]))) is not None:
            yield limit


def _own_cgroup_paths(listing: str) -> dict[str, str]:
    """Controller -> cgroup path, from /proc/self/cgroup ("0::/path" is v2's
    unified hierarchy, keyed ""; "4:cpu,cpuacct:/path" a v1 one)."""
    paths: dict[str, str] = {}
    for line in listing.splitlines():
        _, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _v2_limit(directory: Path) -> int | None:
    # cpu.max: "QUOTA PERIOD" in microseconds, QUOTA "max" for no limit.
    fields = (_read(directory / "cpu.max") or "").split()
    return _whole_cpus(fields[0], fields[1]) if len(fields) == 2 else None


def _v1_limit(directory: Path) -> int | None:
    # cfs_quota_us is -1 for no limit.
    quota = _read(directory / "cpu.cfs_quota_us")
    period = _read(directory / "cpu.cfs_period_us")
    return None if quota is None or period is None else _whole_cpus(quota, period)


def _whole_cpus(quota: str, period: str) -> int | None:
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:  # "max"
        return None
    if quota_us <= 0 or period_us <= 0:
        return None
    return max(1, math.ceil(quota_us / period_us))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
