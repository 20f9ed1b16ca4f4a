"""Kill the importing process mid-run, resume it: the result equals an uninterrupted import.

Each import runs in a process of its own on a SQLite file (import_process.py), against the
API double served from this process. The killed run gets SIGKILL while it writes deals — no
chance to clean up — and is resumed by a new process; both databases are then dumped in a
form free of local ids and compared.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.doubles.pipedrive import generate_dataset

ROOT = Path(__file__).resolve().parents[3]


def process(data_dir: Path, *arguments: str, slow: bool = False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(APOGEE_DATA_DIR=str(data_dir), APOGEE_DEV_SECRET="1", APOGEE_TESTING="1")
    if slow:
        env["SLOW_BATCHES"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integrations.pipedrive.import_process", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen, timeout: float = 300) -> str:
    out, err = child.communicate(timeout=timeout)
    assert child.returncode == 0, err[-3000:]
    return out


def copy_database(source: Path, target: Path) -> None:
    target.mkdir()
    for file in source.glob("apogee.sqlite3*"):
        shutil.copy(file, target / file.name)


def progress(data_dir: Path) -> tuple[int, str]:
    try:
        with sqlite3.connect(f"file:{data_dir / 'apogee.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
            row = db.execute(
                "SELECT done_steps, phase FROM pipedrive_importrun ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.OperationalError:
        return 0, ""
    return row or (0, "")


def test_an_import_killed_mid_run_resumes_to_the_same_state(tmp_path, start_double):
    double = start_double(generate_dataset(seed=13, deals=60))
    base = tmp_path / "base"
    base.mkdir()
    finish(process(base, "prepare"))
    copy_database(base, tmp_path / "clean")
    copy_database(base, tmp_path / "killed")

    finish(process(tmp_path / "clean", "start", double.base_url, double.token))
    finish(process(tmp_path / "clean", "dump", str(tmp_path / "clean.json")))

    child = process(tmp_path / "killed", "start", double.base_url, double.token, slow=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done, phase = progress(tmp_path / "killed")
        if (phase in ("deal", "archived_deal") and done > 0) or phase == "activity":
            break
        assert child.poll() is None, "the import ended before it could be killed"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed_at, phase = progress(tmp_path / "killed")
    assert phase in ("deal", "archived_deal", "activity"), phase

    assert "done" in finish(process(tmp_path / "killed", "resume", "1"))
    finish(process(tmp_path / "killed", "dump", str(tmp_path / "killed.json")))

    clean = json.loads((tmp_path / "clean.json").read_text())
    resumed = json.loads((tmp_path / "killed.json").read_text())
    assert resumed["counts"] == clean["counts"]
    assert clean["counts"]["Deal"] > 0 and killed_at < clean["counts"]["Deal"] + 500
    for section in ("deals", "persons", "organizations", "activities", "notes", "leads", "fields"):
        assert resumed[section] == clean[section], section
