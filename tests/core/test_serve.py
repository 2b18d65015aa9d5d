"""`manage.py serve` (what `make run` runs) starts web, worker and beat on the embedded
defaults and stops all three on Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_serve_starts_web_worker_and_beat_and_stops_them_together(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(KCC_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kcc_portal.settings.dev")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except requests.RequestException:
                time.sleep(0.3)
        assert health and health["database"] == "ok"
        children = subprocess.run(
            ["pgrep", "-f", "-s", str(proc.pid), "celery"], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 2  # a worker and beat
        # Home page in Bengali by default.
        home = requests.get(f"http://127.0.0.1:{port}/", timeout=10).text
        assert '<html lang="bn">' in home
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Stopped web, worker and beat." in output
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", f"processes left running: {left.stdout}"
