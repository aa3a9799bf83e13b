"""The data ships inside the wheel: installed in a fresh venv outside the repo, it loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp / "dist").glob("casme3_compliance-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(env_dir / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def run_outside(env_dir: Path, code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    # Dependencies come from the test venv's site-packages; our package only from the wheel
    # (the editable install's .pth file is not read from PYTHONPATH).
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": deps, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CASME3_DATA_DIR", None)
    return subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )


def test_wheel_loads_its_own_data(installed, tmp_path, kb):
    code = (
        "import json, casme3_compliance as c, casme3_compliance.knowledge.paths as p;"
        "kb = c.load();"
        "print(json.dumps([c.__file__, str(p.data_dir()), kb.agreement.provenance.pdf.sha256,"
        " len(kb.subjects.part('AB').restricted()), c.verdict('spNO.131').restricted]))"
    )
    result = run_outside(installed, code, tmp_path)
    assert result.returncode == 0, result.stderr
    module, data, pdf, restricted, verdict = json.loads(result.stdout)
    assert module.startswith(str(installed)) and data.startswith(str(installed))
    assert Path(data, kb.id, "source", "casme3-license-agreement.txt").is_file()
    assert Path(data, "schema", "agreement.schema.json").is_file()
    assert (pdf, restricted, verdict) == (kb.agreement.provenance.pdf.sha256, 108, True)


def test_the_sdist_holds_the_package_and_no_file_a_scan_objects_to(tmp_path):
    """Only what the package needs: no test fixture with a database-like name, and scanning
    the unpacked source distribution finds nothing (the LA's own texts are not images)."""
    import tarfile

    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (sdist,) = tmp_path.glob("casme3_compliance-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "unpacked", filter="data")
    top = {n.split("/", 2)[1] for n in names if n.count("/") >= 1}
    assert top == {
        "src",
        "data",
        "README.md",
        "LICENSE",
        "pyproject.toml",
        "PKG-INFO",
        ".gitignore",
    }
    (root,) = (tmp_path / "unpacked").iterdir()
    done = subprocess.run(
        [sys.executable, "-m", "casme3_compliance", "scan", "--all", str(root)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
