"""The install is reproducible: the lock holds every dependency pyproject.toml names, the image copies
every package the project ships and runs unprivileged with a health check, compose wires PostgreSQL."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _locked() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {canonicalize_name(p["name"]): p["version"] for p in lock["package"]}


def test_the_lock_pins_every_dependency_at_a_version_the_range_allows():
    """Each runtime and dev requirement is in uv.lock, at a version inside pyproject.toml's range."""
    locked = _locked()
    wanted = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    bad = []
    for text in wanted:
        req = Requirement(text)
        version = locked.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            bad.append(f"{text}: locked {version}")
    assert bad == []


def test_the_makefile_and_the_image_install_from_the_lock():
    """`make` and the image both install with `uv sync --locked`, so an unlocked change stops them."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "uv sync --locked" in makefile
    assert DOCKERFILE.count("uv sync --locked") == 2
    uv_pins = set(re.findall(r"uv==([\d.]+)", DOCKERFILE)) | set(re.findall(r"UV_VERSION := ([\d.]+)", makefile))
    assert len(uv_pins) == 1, uv_pins


def test_the_image_copies_every_shipped_package():
    """Every top-level package setuptools ships is copied into the image (a new one would be missing)."""
    shipped = {p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \1$", DOCKERFILE, flags=re.MULTILINE))
    assert shipped == copied


def test_the_image_runs_unprivileged_with_a_health_check():
    """The final stage switches to a user that is not root and checks /healthz."""
    final = DOCKERFILE.split("\nFROM ")[-1]
    users = re.findall(r"^USER (\S+)$", final, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in final and "/healthz" in final


def test_compose_runs_handoff_on_a_healthy_postgresql():
    """compose.yaml builds the image, points DATABASE_URL at its PostgreSQL and waits for it to be ready."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    app, db = compose["services"]["handoff"], compose["services"]["db"]
    assert app["build"] == "."
    assert (
        app["environment"]["DATABASE_URL"].startswith("postgresql://") and "@db:" in app["environment"]["DATABASE_URL"]
    )
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
