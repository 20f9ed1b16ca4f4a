"""Screenshots of pages, for reviewing what changed: headless Debian Chromium through Playwright.

Usage (with Apogee running, e.g. `bash scripts/run.sh`):
    .venv/bin/python scripts/screenshots.py board=/ deal=/deals/1/ settings=/settings/pipelines/
PNGs go to screenshots/ (ignored by git). Logs in as the demo administrator unless told otherwise.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pages", nargs="+", help="name=/path pairs")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="sophie")
    parser.add_argument("--password", default="apogee-demo-2026")
    parser.add_argument("--language", choices=["en", "fr"], default=None)
    args = parser.parse_args()
    out = Path(__file__).resolve().parent.parent / "screenshots"
    out.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{args.base}/accounts/login/")
        page.fill("#id_login", args.user)
        page.fill("#id_password", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if args.language:
            page.click(f".lang-switch button[value={args.language}]")
            page.wait_for_load_state()
        for item in args.pages:
            name, _sep, path = item.partition("=")
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
