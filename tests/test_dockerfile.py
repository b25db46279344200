"""The Dockerfile builds and starts OnePlan with the same commands as the README's scripts.

No Docker engine runs on the development machines, so this keeps the two from drifting apart.
"""

import re
import tomllib
from pathlib import Path

import pytest

SHARED_STEPS = [
    "npm ci --no-audit --no-fund --loglevel=error",
    "npm run --silent build",
    "python -m pip install",
    "--require-hashes -r requirements/pip.txt",
    "--require-hashes -r",
    "--no-deps -e .",
    "oneplan db upgrade",
    "oneplan serve",
]


@pytest.mark.parametrize("step", SHARED_STEPS)
def test_dockerfile_and_scripts_share_each_step(project_dir: Path, step: str) -> None:
    dockerfile = (project_dir / "Dockerfile").read_text()
    scripts = (project_dir / "scripts/setup").read_text() + (project_dir / "scripts/run").read_text()
    assert step in dockerfile
    assert step in scripts


def service_packages_of_setup(setup: str) -> set[str]:
    """The Debian packages scripts/setup installs for the service (before its --for-tests extras)."""
    service_part = setup.split('if [ "$for_tests" = 1 ]; then\n  # default-jre', 1)[0]
    return {
        name
        for line in re.findall(r"^packages\+=\(([^)]*)\)$", service_part, re.MULTILINE)
        for name in line.split()
    }


def packages_of_dockerfile(dockerfile: str) -> set[str]:
    """The Debian packages of the image's apt-get install line (continued over backslashed lines)."""
    joined = dockerfile.replace("\\\n", " ")
    [line] = [line for line in joined.splitlines() if "apt-get install" in line]
    words = line.split("apt-get install", 1)[1].split("&&", 1)[0].split()
    return {word for word in words if not word.startswith("-")}


def test_the_image_installs_the_debian_packages_the_setup_installs_for_the_service(project_dir: Path) -> None:
    """Fonts for every script (the PDFs) among them: a package left out of the image prints empty boxes."""
    setup = service_packages_of_setup((project_dir / "scripts/setup").read_text())
    image = packages_of_dockerfile((project_dir / "Dockerfile").read_text())
    assert {"fonts-liberation", "fonts-noto-core", "fonts-noto-cjk", "fonts-noto-color-emoji"} <= setup
    assert image == setup


def test_container_runs_as_a_non_root_user_with_several_workers(project_dir: Path) -> None:
    lines = (project_dir / "Dockerfile").read_text().splitlines()
    assert "USER oneplan" in lines
    assert any("ONEPLAN_WORKERS=4" in line for line in lines)
    assert not any("node_modules" in line and "COPY --from" in line for line in lines)


def test_demo_mode_is_asked_for_by_the_demo_script_and_never_by_the_image(project_dir: Path) -> None:
    dockerfile = (project_dir / "Dockerfile").read_text()
    run = (project_dir / "scripts/run").read_text()
    assert "ONEPLAN_DEMO_MODE" not in dockerfile
    assert "ONEPLAN_ENVIRONMENT=production" in dockerfile
    assert "export ONEPLAN_DEMO_MODE=true" in run
    assert run.index("export ONEPLAN_DEMO_MODE=true") < run.index("oneplan demo")


def locked(lock: Path) -> dict[str, str]:
    """Package name (normalised) to its pinned version, from a lock file of scripts/lock."""
    pins = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^ \\]+)", lock.read_text(), re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def wanted(requirements: list[str]) -> set[str]:
    return {
        re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~ ;]", line, maxsplit=1)[0]).lower() for line in requirements
    }


def test_the_lock_files_pin_every_package_the_project_names_with_a_hash(project_dir: Path) -> None:
    """scripts/lock has been run since pyproject.toml last changed: nothing is installed unpinned."""
    project = tomllib.loads((project_dir / "pyproject.toml").read_text())["project"]
    app, dev = locked(project_dir / "requirements/app.txt"), locked(project_dir / "requirements/dev.txt")
    assert wanted(project["dependencies"]) <= app.keys()
    assert wanted(project["dependencies"] + project["optional-dependencies"]["dev"]) <= dev.keys()
    assert {name: app[name] for name in app} == {name: dev[name] for name in app}, "the two locks disagree"
    assert "pip" in locked(project_dir / "requirements/pip.txt")
    for lock in ("pip", "app", "dev"):
        text = (project_dir / f"requirements/{lock}.txt").read_text()
        assert all("--hash=sha256:" in block for block in re.split(r"\n(?=[A-Za-z])", text) if "==" in block)
