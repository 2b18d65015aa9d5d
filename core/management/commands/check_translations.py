"""Fail when a Bengali translation is missing or fuzzy.

Runs `makemessages -l bn` (the same extraction a translator would run) over a copy-back of
locale/bn/LC_MESSAGES/django.po, then asks gettext's `msgattrib` which entries are
untranslated or fuzzy. The catalogue on disk is put back exactly as it was, so the check
changes nothing; `--write` keeps the refreshed catalogue (new entries empty, for a
translator to fill in).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

IGNORED = ["tests/*", "bench/*", "var/*", "node_modules/*", "static/vendor/*"]


def _entries(po: Path, flag: str) -> list[str]:
    """The msgids msgattrib lists with `flag` (--untranslated or --only-fuzzy)."""
    out = subprocess.run(  # noqa: S603 - gettext's own tool, our arguments
        ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [
        line[len('msgid "') : -1]
        for line in out.splitlines()
        if line.startswith('msgid "') and line != 'msgid ""'
    ]


class Command(BaseCommand):
    help = "Fail when a user-facing string has no Bengali translation, or a fuzzy one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write",
            action="store_true",
            help="Keep the refreshed catalogue instead of restoring it.",
        )

    def handle(self, *args: Any, write: bool = False, **options: Any) -> None:
        po = Path(settings.BASE_DIR) / "locale" / "bn" / "LC_MESSAGES" / "django.po"
        original = po.read_bytes()
        try:
            call_command(
                "makemessages",
                locale=["bn"],
                ignore_patterns=IGNORED,
                no_obsolete=True,
                verbosity=0,
            )
            missing = _entries(po, "--untranslated")
            fuzzy = _entries(po, "--only-fuzzy")
        finally:
            if not write:
                po.write_bytes(original)
        for msgid in missing:
            self.stderr.write(f"MISSING: {msgid}")
        for msgid in fuzzy:
            self.stderr.write(f"FUZZY: {msgid}")
        if missing or fuzzy:
            raise CommandError(
                f"{len(missing)} Bengali translations missing, {len(fuzzy)} "
                "fuzzy. Fill them in locale/bn/LC_MESSAGES/django.po "
                "(`manage.py check_translations --write` adds the new "
                "entries)."
            )
        self.stdout.write(self.style.SUCCESS("Every string has its Bengali translation."))
