"""The container image: built from the Dockerfile where a container runtime answers (docker or podman on PATH with
a daemon / a working rootless setup), then ``qa doctor`` and an audit of the built-in demo site run inside it.

Skipped where no runtime answers: a build test, not a security test."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import pytest

import qa
from tests.conftest import REPO


def runtime() -> str | None:
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if path and subprocess.run([path, "info"], capture_output=True, timeout=60).returncode == 0:
            return path
    return None


RUNTIME = runtime()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(RUNTIME is None, reason="no container runtime answers (docker/podman info)"),
]


@pytest.fixture(scope="module")
def image() -> str:
    assert RUNTIME is not None
    tag = f"qa-suite-test:{uuid.uuid4().hex[:8]}"
    built = subprocess.run([RUNTIME, "build", "-t", tag, str(REPO)], capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    yield tag
    subprocess.run([RUNTIME, "rmi", "-f", tag], capture_output=True, timeout=300)


def run(image: str, *args: str, volume: str | None = None) -> subprocess.CompletedProcess[str]:
    mount = ["-v", f"{volume}:/reports_out"] if volume else []
    return subprocess.run([RUNTIME, "run", "--rm", *mount, image, *args], capture_output=True, text=True, timeout=1800)


def test_the_image_runs_qa_as_a_non_root_user_with_all_three_engines(image: str) -> None:
    version = run(image, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"qa-suite {qa.__version__}"
    uid = subprocess.run(
        [RUNTIME, "run", "--rm", "--entrypoint", "id", image, "-u"], capture_output=True, text=True, timeout=300
    )
    assert uid.stdout.strip() not in ("", "0")
    doctor = run(image, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    for name in ("chromium", "firefox", "webkit", "IBM Equal Access", "HTML_CodeSniffer", "LinkChecker"):
        assert any(line.startswith(f"  ok       {name}") for line in doctor.stdout.splitlines()), name


def test_an_audit_in_the_image_writes_its_run_folder_to_the_volume(image: str) -> None:
    volume = f"qa-test-{uuid.uuid4().hex[:8]}"
    try:
        audit = run(image, "audit", "--browser", "chromium", "--viewport", "desktop", "--max-pages", "3", volume=volume)
        assert audit.returncode == 1, audit.stdout + audit.stderr  # the demo site has defects: the gate fails
        listed = subprocess.run(
            [
                RUNTIME,
                "run",
                "--rm",
                "-v",
                f"{volume}:/reports_out",
                "--entrypoint",
                "cat",
                image,
                "/reports_out/latest/results.json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        results = json.loads(listed.stdout)
        assert results["run"]["cells"] == ["chromium/desktop"] and results["pages"]
    finally:
        subprocess.run([RUNTIME, "volume", "rm", "-f", volume], capture_output=True, timeout=300)
