"""The Pipedrive API double, started per test, and a clock that fake sleeps move forward."""

from datetime import UTC, datetime

import pytest

from apogee.accounts.models import Role, User
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.apisource import ApiSource
from apogee.integrations.pipedrive.client import PipedriveClient
from tests.doubles.pipedrive import PipedriveDouble, generate_dataset

# Big enough for every listing to span several 500-item pages (deals, activities, notes).
DEALS = 1200
# The account import tests write to the database: small enough for a test, every pipeline in it.
SMALL_DEALS = 150


class FakeClock:
    """Both sides' clock: the double's rate limits and the client's back-off read it; sleeping moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance_to(self, moment: datetime) -> None:
        self.now = moment.timestamp()


@pytest.fixture(scope="session")
def dataset():
    return generate_dataset(seed=7, deals=DEALS)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 9, 1, 21, 0, tzinfo=UTC))


@pytest.fixture
def start_double(dataset, clock):
    """Start a double with the given knobs (generous limits unless told otherwise); stopped after the test."""
    started = []

    def start(data=None, **knobs) -> PipedriveDouble:
        knobs.setdefault("budget", 10_000_000)
        knobs.setdefault("burst", 100_000)
        knobs.setdefault("clock", clock)
        double = PipedriveDouble(data or dataset, **knobs).start()
        started.append(double)
        return double

    yield start
    for double in started:
        double.stop()


@pytest.fixture
def double(start_double):
    return start_double()


@pytest.fixture
def connect(clock):
    """A client of a double: fake sleep and clock, short timeouts."""
    clients = []

    def connect(double, token=None, **options) -> PipedriveClient:
        options.setdefault("sleep", clock.sleep)
        options.setdefault("clock", clock)
        options.setdefault("timeout", 5.0)
        client = PipedriveClient(double.base_url, token or double.token, **options)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def client(double, connect):
    return connect(double)


# -- importing ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def small_dataset():
    return generate_dataset(seed=11, deals=SMALL_DEALS)


@pytest.fixture
def importer_admin(workspace):
    """The reference map's default owner."""
    return User.objects.create_user(
        "sophie", email="sophie.rochat@example.com", password="x", role=Role.ADMIN, first_name="Sophie"
    )


@pytest.fixture
def run_api_import(importer_admin, connect):
    """Start an API import of a double and run it in this process; returns the finished run."""

    def run_import(double, *, dry_run=False, map_text=None, **client_options):
        run = services.start_import(
            actor=importer_admin,
            source="api",
            dry_run=dry_run,
            map_text=map_text,
            base_url=double.base_url,
            token=double.token,
            enqueue=False,
        )
        client = connect(double, **client_options)
        return services.execute_run(run.pk, source=ApiSource(client))

    return run_import
