"""Serve a generated account until interrupted: `python -m tests.doubles.pipedrive --deals 100000`.

Prints one JSON line, {"base_url": …, "token": …}, once the server listens.
"""

import argparse
import json
import sys
import threading

from . import PipedriveDouble, generate_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=10**9)
    parser.add_argument("--burst", type=int, default=10**6)
    arguments = parser.parse_args()
    double = PipedriveDouble(
        generate_dataset(seed=arguments.seed, deals=arguments.deals),
        budget=arguments.budget,
        burst=arguments.burst,
    ).start()
    sys.stdout.write(json.dumps({"base_url": double.base_url, "token": double.token}) + "\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        double.stop()


if __name__ == "__main__":
    main()
