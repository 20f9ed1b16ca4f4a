"""The `apogee` command: serve, web, worker, migrate, seed-demo, and every management command.

`apogee serve` runs the web server and the background worker together, the way
the README's first command starts the whole application.
"""

import os
import signal
import subprocess
import sys
import time

USAGE = """usage: apogee <command> [options]

  serve [--port 8000]   web server and background worker together
  web [--port 8000]     web server only (gunicorn)
  worker                background worker only (huey)
  migrate               create or upgrade the database
  seed-demo             create or refresh the demo workspace (idempotent)
  <command>             any Django management command (e.g. createsuperuser)
"""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    import django

    django.setup()


def _manage(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["apogee", *args])


def _port(args: list[str]) -> str:
    if "--port" in args:
        return args[args.index("--port") + 1]
    return os.environ.get("APOGEE_PORT", "8000")


def _web_command(port: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "apogee.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        os.environ.get("APOGEE_WEB_WORKERS", "2"),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "apogee.cli", "run_huey", "--workers", "2", "--worker-type", "thread"]


def _serve(port: str) -> int:
    _manage(["collectstatic", "--noinput", "-v", "0"])
    processes = [subprocess.Popen(_web_command(port)), subprocess.Popen(_worker_command())]
    print(f"Apogee is running at http://127.0.0.1:{port}/  (Ctrl+C stops web server and worker)", flush=True)

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for process in processes:
        process.wait(timeout=20)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "serve":
        return _serve(_port(rest))
    if command == "web":
        _manage(["collectstatic", "--noinput", "-v", "0"])
        os.execv(sys.executable, _web_command(_port(rest)))
    if command == "worker":
        _manage(["run_huey", "--workers", "2", "--worker-type", "thread"])
        return 0
    if command == "seed-demo":
        _manage(["seed_demo", *rest])
        return 0
    _manage([command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
