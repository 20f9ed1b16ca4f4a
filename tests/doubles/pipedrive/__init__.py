"""A local Pipedrive API (v1 and v2) with a generated six-year account of the customer's shape.

    from tests.doubles.pipedrive import PipedriveDouble, generate_dataset

    dataset = generate_dataset(seed=1, deals=200)      # plain Python data to assert against
    with PipedriveDouble(dataset, budget=10_000, burst=40) as double:
        ...  # PipedriveClient(double.base_url, double.token)

`python -m tests.doubles.pipedrive --deals 100000` serves a large account in its own process
(for benchmarks) and prints its base URL and token as JSON.
"""

from .dataset import Dataset
from .generate import AS_OF, generate_dataset
from .server import LoggedRequest, PipedriveDouble

__all__ = ["AS_OF", "Dataset", "LoggedRequest", "PipedriveDouble", "generate_dataset"]
