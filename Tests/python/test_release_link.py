"""The release binary keeps the link that makes its resident set small (Package.swift, `releaseLinkSettings`).

Nothing else would notice if one of these regressed: the hub would still work, with a few MiB more resident
memory (bench/hub/README.md, "Session 5"). `make test` drives the release binary, so these run in CI; a debug
binary (linked by the toolchain's default linker, without these settings) skips them.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def release_bin(pawshub_bin: str) -> str:
    comment = run("readelf", "-p", ".comment", pawshub_bin)
    if "Linker: LLD" not in comment:
        pytest.skip(f"{pawshub_bin} is not a release build linked by lld (a debug build?)")
    return pawshub_bin


def test_no_unused_libraries(release_bin: str):
    """libcurl (and its TLS/Kerberos/LDAP dependencies) is not loaded while no code calls it."""
    needed = [line.split("[")[1].rstrip("]") for line in run("readelf", "-d", release_bin).splitlines()
              if "(NEEDED)" in line]
    assert needed, "no NEEDED entries read"
    assert not [name for name in needed if "curl" in name], needed


def test_relocations_packed_and_nothing_exported(release_bin: str):
    sections = run("readelf", "-S", "-W", release_bin)
    assert ".relr.dyn" in sections, "relative relocations are not packed (-z pack-relative-relocs)"
    exported = run("nm", "-D", "--defined-only", release_bin).split()
    assert exported == [], f"{len(exported) // 3} dynamic symbols exported (--no-export-dynamic)"


def test_hot_functions_list_matches_the_binary(release_bin: str):
    """The ordering file still names the binary's functions; regenerate it (scripts/hot-functions.sh) if not."""
    report = subprocess.run([str(ROOT / "scripts" / "hot-functions.sh"), "--check"], check=True,
                            capture_output=True, text=True, env={"PAWSHUB_BIN": release_bin, "PATH": "/usr/bin:/bin"}).stdout
    found, listed = (int(word) for word in report.split()[1:4:2])
    assert listed > 1000, report
    assert found >= 0.8 * listed, report
