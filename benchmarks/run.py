"""Timed scenarios over N deals, reported as ratios to a floor measured in the same run."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def _counting(executed: list[str]):
    def wrapper(execute, sql, *rest):
        executed.append(sql)
        return execute(sql, *rest)

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        data_dir = Path("var") / f"bench-{args.deals}"
        data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["APOGEE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("APOGEE_DEV_SECRET", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apogee.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apogee.accounts.models import User
    from apogee.pipelines.models import Pipeline
    from benchmarks.generate import generate

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(args.deals)
    print(f"data: {args.deals} deals ready in {time.perf_counter() - started:.1f}s ({connection.vendor})")

    client = Client()
    client.force_login(User.objects.get(username="marc"))
    sales = Pipeline.objects.get(name="Sales").pk
    scenarios = {
        "floor: /api/v1/me (authenticated, trivial)": "/api/v1/me",
        "board: Sales, open deals": f"/?pipeline={sales}",
        "board: Sales, filter opportunity_type=esa": f"/?pipeline={sales}&f=opportunity_type:eq:esa",
        "list: default (all statuses)": "/deals/",
        "list: sorted by value desc": "/deals/?sort=-value",
        "list: filter product_line has motor": "/deals/?f=product_line:has:motor",
        "list: page 100": "/deals/?page=100",
        "api: /api/v1/deals?limit=100": "/api/v1/deals?limit=100",
        "page: /me/ (profile, 400 time zones)": "/me/",
        # "space" is in 4 of the 10 organizations' names: ~40% of the deals match in their body.
        "search: suggest 'space' (common word)": "/search/suggest?q=space",
        "search: page 'space' (common word)": "/search/?q=space",
        "search: page 'bench' (every deal)": "/search/?q=bench",
        "search: suggest 'thales 00042' (two words)": "/search/suggest?q=thales+00042",
        "search: suggest '0004242' (one deal)": "/search/suggest?q=0004242",
        "search: suggest 'sp' (short prefix)": "/search/suggest?q=sp",
        "api: /api/v1/search?q=airbus": "/api/v1/search?q=airbus",
    }
    results = {}
    for name, url in scenarios.items():
        client.get(url)
        times = []
        executed: list[str] = []
        # Counted by wrapping the cursor: CaptureQueriesContext loses them when a request closes
        # the connection.
        with connection.execute_wrapper(_counting(executed)):
            client.get(url)
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = (statistics.median(times), len(executed))
    floor = results["floor: /api/v1/me (authenticated, trivial)"][0]
    print(f"{'scenario':48s} {'median ms':>10s} {'x floor':>8s} {'queries':>8s}")
    for name, (median, count) in results.items():
        print(f"{name:48s} {median:10.1f} {median / floor:8.1f} {count:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
