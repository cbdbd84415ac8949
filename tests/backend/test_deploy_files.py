import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
needs_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="Debian's docker-compose is installed by make test"
)


def compose_config(tmp_path) -> subprocess.CompletedProcess:
    # As a deployer would have it: the compose file beside a .env made from .env.example.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def dockerfile_env() -> dict[str, str]:
    found = {}
    for block in re.findall(r"^ENV (.+?)(?<!\\)$", (ROOT / "Dockerfile").read_text(), re.M | re.S):
        for name, value in re.findall(r"(\w+)=(\S+)", block):
            found[name] = value
    return found


@needs_compose
def test_docker_compose_file_is_valid(tmp_path):
    result = compose_config(tmp_path)
    assert result.returncode == 0, result.stderr


def volume_holding(service: dict, path: str) -> str | None:
    """The named volume whose mount contains `path` in this service's container, if any."""
    for mount in service.get("volumes", []):
        source, target = (mount["source"], mount["target"]) if isinstance(mount, dict) else mount.split(":")[:2]
        if PurePosixPath(path) == PurePosixPath(target) or PurePosixPath(target) in PurePosixPath(path).parents:
            return source
    return None


@needs_compose
def test_the_web_and_the_worker_share_both_media_folders_on_persistent_volumes(tmp_path):
    """The worker writes PIN lists and print files into private media; the web hands them out."""
    result = compose_config(tmp_path)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    web, worker = config["services"]["web"], config["services"]["worker"]
    image_env = dockerfile_env()

    def effective(service: dict, variable: str) -> str:
        """What backend/settings.py makes of the container's environment."""
        env = {**image_env, **(service.get("environment") or {})}
        if variable == "PRIVATE_MEDIA_ROOT" and not env.get(variable):
            return env["MEDIA_ROOT"].rstrip("/") + "-private"
        return env[variable]

    volumes = {}
    for variable in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
        path = effective(web, variable)
        assert path == effective(worker, variable), f"web and worker put {variable} in different places"
        volume = volume_holding(web, path)
        assert volume is not None, f"{variable}={path} is not on a volume of the web container"
        assert volume == volume_holding(worker, path), f"web and worker see different {variable} folders"
        assert volume in config["volumes"], f"{volume} is not a named (persistent) volume"
        volumes[variable] = volume
    assert volumes["MEDIA_ROOT"] != volumes["PRIVATE_MEDIA_ROOT"], "private files on the volume a web server may serve"


@needs_compose
def test_the_compose_worker_is_the_one_that_survives_database_outages(tmp_path):
    config = yaml.safe_load(compose_config(tmp_path).stdout)
    command = config["services"]["worker"]["command"]
    command = " ".join(command) if isinstance(command, list) else command
    assert "manage.py worker" in command and "db_worker" not in command
    assert config["services"]["worker"]["restart"] == "unless-stopped"


def test_env_example_names_every_required_variable():
    text = (ROOT / ".env.example").read_text()
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "SITE_URL",
        "POSTGRES_PASSWORD",
        "MAP_TILES_URL",
        "STAMP_PIN_KEY",
    ):
        assert f"{name}=" in text
