"""`apogee report <report> …`: write a report to files. One report so far: `board`.

    apogee report board --period 2026-Q4 [--language fr|en] [--user USERNAME] [--out DIR]

writes board-report-<period>.pptx and .xlsx into DIR (default: the current directory) and
prints their paths. Without --user the pack holds every non-deleted deal; with it, only the
deals that user may see. Each report is a subcommand, so others can be added beside `board`.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.insights.board.collect import build_pack
from apogee.insights.board.deck import build_deck
from apogee.insights.board.period import ACCEPTED, parse_period
from apogee.insights.board.workbook import build_workbook


class Command(BaseCommand):
    help = "Write a report to files. Reports: board (the board-meeting deck and workbook)."

    def add_arguments(self, parser):
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        board = reports.add_parser(
            "board",
            help="the board-meeting pack: a PowerPoint deck and an Excel workbook",
            description="Write board-report-<period>.pptx and .xlsx for the board meeting.",
        )
        board.add_argument("--period", required=True, help=f"the period: {ACCEPTED}")
        board.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the pack (default: %(default)s)",
        )
        board.add_argument("--user", help="username: only the deals this user may see (default: every deal)")
        board.add_argument("--out", default=".", help="the folder to write to (default: the current one)")

    def handle(self, *args, report: str, **options):
        if report == "board":
            self.board(
                period=options["period"],
                language=options["language"],
                username=options.get("user"),
                out=options["out"],
            )

    def board(self, *, period: str, language: str, username: str | None, out: str) -> None:
        try:
            parsed = parse_period(period)
        except ValueError as error:
            raise CommandError(str(error)) from None
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("No active user is called “%(name)s”.") % {"name": username})
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise CommandError(_("“%(path)s” is a file, not a folder.") % {"path": folder})
        folder.mkdir(parents=True, exist_ok=True)
        pack = build_pack(parsed, user=user, language=language)
        paths = []
        for extension, build in (("pptx", build_deck), ("xlsx", build_workbook)):
            path = folder / pack.filename(extension)
            path.write_bytes(build(pack))
            paths.append(path)
        for path in paths:
            self.stdout.write(str(path.resolve()))
