"""The default of --jobs: the CPUs a run may use, within a cgroup's CPU limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner import batch, cpus
from cleaner.cli import clean_app

ROOT = Path(__file__).resolve().parent.parent


def _cgroups(tmp_path: Path, own: str, files: dict[str, str]) -> tuple[str, str]:
    """A cgroup mount under tmp_path with `files` (path -> content), and a
    /proc/self/cgroup that places this process in `own`."""
    mount = tmp_path / "cgroup"
    mount.mkdir()
    for name, content in files.items():
        (mount / name).parent.mkdir(parents=True, exist_ok=True)
        (mount / name).write_text(content + "\n")
    listing = tmp_path / "self-cgroup"
    listing.write_text(own + "\n")
    return str(mount), str(listing)


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        ("200000 100000", 2),  # docker run --cpus 2
        ("150000 100000", 2),  # 1.5 CPUs keep a second worker busy half the time
        ("50000 100000", 1),
        ("max 100000", None),  # no limit
        ("", None),
        ("garbage", None),
    ],
)
def test_cgroup_v2_limit_of_a_container(tmp_path: Path, cpu_max: str, expected: int | None) -> None:
    mount, listing = _cgroups(tmp_path, "0::/", {"cpu.max": cpu_max})
    assert cpus.cgroup_cpu_limit(mount, listing) == expected


def test_cgroup_v2_limit_of_a_unit_and_its_parents(tmp_path: Path) -> None:
    # A systemd unit's own cgroup is below the mount's root, and the slice
    # above it may set a tighter limit, which binds it too.
    files = {
        "system.slice/batch.service/cpu.max": "400000 100000",
        "system.slice/cpu.max": "300000 100000",
        "cpu.max": "max 100000",
        "other.slice/cpu.max": "100000 100000",  # another cgroup's: not ours
    }
    mount, listing = _cgroups(tmp_path, "0::/system.slice/batch.service", files)
    assert cpus.cgroup_cpu_limit(mount, listing) == 3


@pytest.mark.parametrize(("quota", "expected"), [("200000", 2), ("-1", None)])
def test_cgroup_v1_limit_where_the_own_path_is_the_hosts(
    tmp_path: Path, quota: str, expected: int | None
) -> None:
    # cgroup v1 in Docker: /proc/self/cgroup names the host's path, and the
    # container's own limit is at the root of its mount.
    files = {"cpu/cpu.cfs_quota_us": quota, "cpu/cpu.cfs_period_us": "100000"}
    mount, listing = _cgroups(tmp_path, "4:cpu,cpuacct:/docker/0123abcd\n0::/", files)
    assert cpus.cgroup_cpu_limit(mount, listing) == expected


def test_cgroup_v1_limit_without_the_cpu_link(tmp_path: Path) -> None:
    # Some hosts mount the controller as "cpu,cpuacct" only, with no "cpu" link.
    files = {"cpu,cpuacct/cpu.cfs_quota_us": "300000", "cpu,cpuacct/cpu.cfs_period_us": "100000"}
    mount, listing = _cgroups(tmp_path, "4:cpu,cpuacct:/\n0::/", files)
    assert cpus.cgroup_cpu_limit(mount, listing) == 3


def test_no_cgroup_file_system_is_no_limit(tmp_path: Path) -> None:
    assert cpus.cgroup_cpu_limit(str(tmp_path / "none"), str(tmp_path / "none")) is None


@pytest.mark.parametrize(("cpu_max", "expected"), [("200000 100000", 2), ("12800000 100000", 64)])
def test_available_cpus_is_the_affinity_within_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpu_max: str, expected: int
) -> None:
    # A pod on a 64-core node sees all 64 in its affinity mask.
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    mount, listing = _cgroups(tmp_path, "0::/", {"cpu.max": cpu_max})
    assert cpus.available_cpus(mount, listing) == expected


def test_the_default_of_jobs_is_the_available_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    run = batch.run

    def spy(*args: Any, jobs: int, **kwargs: Any) -> Any:
        seen.append(jobs)
        return run(*args, jobs=1, **kwargs)

    monkeypatch.setattr("cleaner.cli.available_cpus", lambda: 3)
    monkeypatch.setattr(batch, "run", spy)
    page = str(ROOT / "fixtures" / "examples" / "en-old-2020-colonial.txt")
    assert CliRunner().invoke(clean_app, [page, "-q"]).exit_code == 0
    assert CliRunner().invoke(clean_app, [page, "-q", "--jobs", "2"]).exit_code == 0
    assert seen == [3, 2]
