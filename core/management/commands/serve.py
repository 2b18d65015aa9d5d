"""Start the web server, a Celery worker and beat together; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the portal with a Celery worker and beat (embedded broker unless REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--gunicorn",
            action="store_true",
            help="serve with gunicorn instead of Django's development server",
        )

    def handle(self, *args: Any, addr: str, gunicorn: bool, **options: Any) -> None:
        for sub in ("out", "processed", "control"):
            (settings.BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "kcc_portal"]
        if gunicorn:
            web = [
                python,
                "-m",
                "gunicorn",
                "kcc_portal.wsgi",
                "--bind",
                addr,
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ]
        else:
            web = [python, "manage.py", "runserver", addr, "--noreload"]
        commands = {
            "worker": celery
            + [
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "-Q",
                f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_PDF_QUEUE}",
            ],
            # Gateway and SMS provider calls wait on the network: threads, not processes.
            "gateway worker": celery
            + [
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "threads",
                "--concurrency",
                "8",
                "--hostname",
                "gateway@%h",
                "-Q",
                f"{settings.CELERY_GATEWAY_QUEUE},{settings.CELERY_SMS_QUEUE}",
            ],
            "beat": celery
            + ["beat", "--loglevel", "INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
            "web": web,
        }
        env = dict(os.environ)
        broker = "Redis" if settings.REDIS_URL else "embedded filesystem broker under var/"
        self.stdout.write(f"Starting web on http://{addr}, worker and beat ({broker}).")
        # Our own commands (manage.py, celery), no shell.
        procs = {
            name: subprocess.Popen(cmd, env=env)  # noqa: S603
            for name, cmd in commands.items()
        }

        stopping = False

        def stop(*_args: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                dead = [n for n, p in procs.items() if p.poll() is not None]
                if dead:
                    self.stderr.write(f"{', '.join(dead)} stopped; stopping the rest.")
                    break
                time.sleep(0.5)
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.time() + 15
            for p in procs.values():
                try:
                    p.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    p.kill()
            self.stdout.write("Stopped web, worker and beat.")
