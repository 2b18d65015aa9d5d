"""The production image as the Dockerfile describes it (no Docker engine needed): an
unprivileged user, a health check on /healthz that passes against the production
settings, and the Makefile's one dependency list and system packages."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical line: continuations joined, comments dropped."""
    lines: list[tuple[str, str]] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        keyword, _, args = full.partition(" ")
        lines.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return lines


def healthcheck_command() -> list[str]:
    (args,) = [args for keyword, args in instructions() if keyword == "HEALTHCHECK"]
    exec_form = args[args.index("CMD ") + 4 :]
    return json.loads(exec_form)


def test_runs_as_a_user_that_is_not_root():
    steps = instructions()
    keywords = [keyword for keyword, _ in steps]
    assert keywords.count("CMD") == 1
    users = [args for keyword, args in steps[: keywords.index("CMD")] if keyword == "USER"]
    assert users, "no USER before CMD"
    user, _, group = users[-1].partition(":")
    assert user not in {"root", "0"} and group not in {"root", "0"}
    assert user.isdigit(), "a numeric user, so runAsNonRoot can be checked"
    run_lines = " ".join(args for keyword, args in steps if keyword == "RUN")
    assert f"--uid {user}" in run_lines  # the user exists in the image


def test_healthcheck_requests_healthz_with_python():
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


def test_installs_the_project_with_the_makefiles_constraints():
    run_lines = [args for keyword, args in instructions() if keyword == "RUN"]
    pip_lines = [line for line in run_lines if "pip install" in line]
    assert len(pip_lines) == 1
    words = shlex.split(pip_lines[0].split("&&")[0])
    assert words[words.index("-c") + 1] == "constraints.txt"
    assert words[-1] == "."  # the project itself: pyproject.toml is the one list
    assert not any(re.match(r"(?i)django\b", word) for word in words)
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -c constraints.txt" in makefile


def test_installs_the_makefiles_system_packages_and_compiles_messages():
    makefile = (ROOT / "Makefile").read_text()
    packages = re.search(r"^SYS_PACKAGES := (.+)$", makefile, re.M).group(1).split()
    run_lines = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    apt = re.search(r"apt-get install ([^&]+)", run_lines).group(1).split()
    assert set(packages) <= set(apt)
    assert "msgfmt --check-format -o locale/bn/LC_MESSAGES/django.mo" in run_lines


def test_compose_turns_the_check_off_where_nothing_serves_http():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("migrate", "worker", "beat"):
        assert services[name]["healthcheck"] == {"disable": True}
    assert "healthcheck" not in services["web"]


def test_healthcheck_passes_against_gunicorn_with_production_settings(tmp_path):
    """The check as written (port aside) gets a 200; the same request without the Host
    header the check sends is refused (400), which is why it sends one."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "SSLCOMMERZ_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kcc_portal.settings.production",
        SECRET_KEY="test-only-" + "0123456789abcdef" * 4,
        ALLOWED_HOSTS="portal.example.bd,.example.bd",
        SITE_URL="https://portal.example.bd",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        KCC_VAR_DIR=str(tmp_path),
        SSLCOMMERZ_BASE_URL="https://sandbox.sslcommerz.com",
        SSLCOMMERZ_STORE_ID="test",
        SSLCOMMERZ_STORE_PASSWORD="test",
    )
    check = healthcheck_command()[2].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kcc_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run(
                [sys.executable, "-c", check],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=10,
            )
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert result.returncode == 0, result.stderr[-2000:]
        without_host = check.replace(", headers={'Host': h}", "")
        assert without_host != check
        refused = subprocess.run(
            [sys.executable, "-c", without_host],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert refused.returncode != 0 and "400" in refused.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
