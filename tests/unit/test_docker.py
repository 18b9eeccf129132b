"""The Docker files, linted without a Docker engine: structure, pyproject in step, README commands valid."""
import io
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from tests.conftest import compose_train

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = ["Dockerfile", "Dockerfile.cpu"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _parse(name: str) -> DockerfileParser:
    parser = DockerfileParser(fileobj=io.BytesIO((ROOT / "docker" / name).read_bytes()))  # never writes
    assert parser.content  # the file is there and not empty
    return parser


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_installs_the_project_and_runs_suite_train(name):
    parser = _parse(name)
    instructions = [(i["instruction"], i["value"]) for i in parser.structure]
    first = next(k for k, _ in instructions if k != "COMMENT")
    assert first in ("ARG", "FROM")
    assert parser.cmd is not None and parser.baseimage
    assert ("ENTRYPOINT", '["suite-train"]') in instructions
    copied = {v.split()[0] for k, v in instructions if k == "COPY"}
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
    assert {p.rstrip("*") for p in packages} | {"conf"} <= copied | {"pyproject.toml"}
    assert "pyproject.toml" in " ".join(v for k, v in instructions if k == "COPY")
    runs = " ".join(v for k, v in instructions if k == "RUN")
    assert "pip install ." in runs  # versions come from pyproject, not from a second list here
    assert "SUITE_CACHE_DIR" in parser.envs


def test_gpu_image_is_cuda_runtime_and_cpu_image_uses_cpu_wheels():
    gpu = _parse("Dockerfile")
    default = next(v for i in gpu.structure if i["instruction"] == "ARG" for v in [i["value"]]
                   if v.startswith("CUDA_IMAGE="))
    assert re.match(r"CUDA_IMAGE=nvidia/cuda:\d+\.\d+\.\d+-runtime-", default)
    cpu = _parse("Dockerfile.cpu")
    assert "download.pytorch.org/whl/cpu" in cpu.envs["PIP_EXTRA_INDEX_URL"]
    python = re.match(r"python:(\d+)\.(\d+)", cpu.baseimage)
    need = re.match(r">=(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert tuple(map(int, python.groups())) >= tuple(map(int, need.groups()))


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines() if ln and not ln.startswith("#")}
    assert {".venv", "outputs", "multirun", "data_cache", ".git"} <= ignored


def _readme_train_commands() -> list[list[str]]:
    """Hydra overrides of each `docker run ... suite:<tag> ...` training command in docker/README.md."""
    text = (ROOT / "docker" / "README.md").read_text().replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        if line.startswith("docker run") and "--entrypoint" not in line:
            words = shlex.split(line)
            image = next(i for i, w in enumerate(words) if w.startswith("suite:"))
            commands.append(words[image + 1:])
    return commands


def test_readme_run_commands_are_valid_overrides(tmp_path):
    commands = _readme_train_commands()
    assert len(commands) == 4
    for overrides in commands:
        cfg = compose_train(tmp_path, overrides)  # a misspelt key or option fails here
        assert cfg.task.name
