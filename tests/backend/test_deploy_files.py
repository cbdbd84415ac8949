import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is installed by make test")
def test_docker_compose_file_is_valid(tmp_path):
    # As a deployer would have it: the compose file beside a .env made from .env.example.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_env_example_names_every_required_variable():
    text = (ROOT / ".env.example").read_text()
    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL", "POSTGRES_PASSWORD", "MAP_TILES_URL"):
        assert f"{name}=" in text
