"""The Pipedrive migration settings pages: who may use them, starting runs from files and the API,
following a run, acting on it (interrupt, resume, import a dry run for real), its issues and report.

Runs started through the pages are queued after commit; with `django_capture_on_commit_callbacks
(execute=True)` the queue (huey, immediate in tests) runs them in the test, against export files
or the local Pipedrive double.
"""

import logging
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from apogee.deals.models import Deal
from apogee.integrations.pipedrive import services
from apogee.integrations.pipedrive.forms import StartImportForm
from apogee.integrations.pipedrive.models import ImportIssue, ImportRun, RunStatus
from tests.doubles.pipedrive import generate_dataset
from tests.doubles.pipedrive.exports import export_dataset

pytestmark = pytest.mark.django_db

FILE_NAMES = {
    "organization": "organizations.csv",
    "person": "persons.csv",
    "product": "products.csv",
    "deal": "deals.csv",
    "lead": "leads.csv",
    "activity": "activities.csv",
    "note": "notes.csv",
}
SECRET_TOKEN = "pd-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def tiny_dataset():
    return generate_dataset(seed=11, deals=20)


@pytest.fixture(scope="module")
def export_bytes(tiny_dataset):
    return export_dataset(tiny_dataset, dialect="en", fmt="csv")


def uploads(export_bytes, entities=None):
    return [
        SimpleUploadedFile(FILE_NAMES[entity], data, content_type="text/csv")
        for entity, data in export_bytes.items()
        if entities is None or entity in entities
    ]


@pytest.fixture
def web():
    # The Pipedrive tests' `client` fixture is the API client: the pages get a browser of their own.
    return Client()


@pytest.fixture
def as_admin(web, importer_admin):
    web.force_login(importer_admin)
    return web


def start_payload(**extra):
    payload = {
        "source": "files",
        "map": services.reference_map_text(),
        "timezone": "Europe/Zurich",
        "day_first": "1",
        "dry_run": "on",
    }
    payload.update(extra)
    return {key: value for key, value in payload.items() if value is not None}


def files_run(admin, export_bytes, *, dry_run=True, entities=None) -> ImportRun:
    """A queued (pending) file run, started through the service."""
    files = {e: d for e, d in export_bytes.items() if entities is None or e in entities}
    return services.start_import(actor=admin, source="files", dry_run=dry_run, files=files, enqueue=False)


def finished_files_run(admin, export_bytes, **options) -> ImportRun:
    run = files_run(admin, export_bytes, **options)
    return services.execute_run(run.pk)


def body(response) -> str:
    return response.content.decode()


# -- permissions ----------------------------------------------------------------------------------

PAGES = [
    ("get", "pipedrive:index", False),
    ("post", "pipedrive:start", False),
    ("get", "pipedrive:run", True),
    ("post", "pipedrive:interrupt", True),
    ("post", "pipedrive:resume", True),
    ("post", "pipedrive:import_for_real", True),
    ("get", "pipedrive:report", True),
]


@pytest.fixture
def some_run(importer_admin, export_bytes):
    return files_run(importer_admin, export_bytes, entities={"organization"})


def url_of(name, with_run, run):
    return reverse(name, args=[run.pk] if with_run else [])


@pytest.mark.parametrize(("method", "name", "with_run"), PAGES)
def test_other_roles_get_403_and_change_nothing(web, manager, salesperson, some_run, method, name, with_run):
    before = list(ImportRun.objects.values_list("pk", "status"))
    for user in (manager, salesperson):
        web.force_login(user)
        response = getattr(web, method)(url_of(name, with_run, some_run), start_payload())
        assert response.status_code == 403, (user.username, name)
    assert list(ImportRun.objects.values_list("pk", "status")) == before


@pytest.mark.parametrize(("method", "name", "with_run"), PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(web, some_run, method, name, with_run):
    url = url_of(name, with_run, some_run)
    response = getattr(web, method)(url, start_payload())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize(("name", "with_run"), [(n, w) for m, n, w in PAGES if m == "get"])
def test_an_administrator_sees_every_page(as_admin, some_run, name, with_run):
    assert as_admin.get(url_of(name, with_run, some_run)).status_code == 200


@pytest.mark.parametrize(("name", "with_run"), [(n, w) for m, n, w in PAGES if m == "post"])
def test_actions_answer_only_posts(as_admin, some_run, name, with_run):
    assert as_admin.get(url_of(name, with_run, some_run)).status_code == 405


def test_posts_need_the_csrf_token(importer_admin, some_run):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(importer_admin)
    assert strict.post(reverse("pipedrive:interrupt", args=[some_run.pk])).status_code == 403
    assert strict.post(reverse("pipedrive:start"), start_payload()).status_code == 403
    some_run.refresh_from_db()
    assert some_run.status == RunStatus.PENDING


def test_an_unknown_run_is_404(as_admin):
    assert as_admin.get(reverse("pipedrive:run", args=[999])).status_code == 404
    assert as_admin.post(reverse("pipedrive:interrupt", args=[999])).status_code == 404


def test_the_settings_navigation_links_to_the_page(as_admin):
    response = as_admin.get(reverse("workspace:index"))
    assert reverse("pipedrive:index") in body(response)


# -- the start form ------------------------------------------------------------------------------


def test_the_index_offers_a_dry_run_with_the_reference_map_and_says_what_to_do_first(as_admin):
    response = as_admin.get(reverse("pipedrive:index"))
    page = body(response)
    assert response.status_code == 200
    assert re.search(r'<input type="checkbox" name="dry_run"[^>]* checked', page)
    assert "Business Development:" in page  # the reference map, in the text area
    assert '<option value="Europe/Zurich" selected>' in page
    assert "Start with a dry run" in page  # the empty state


def test_a_dry_run_from_uploaded_files_shows_the_run_page_and_its_counts(
    as_admin, export_bytes, tiny_dataset, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            reverse("pipedrive:start"), {**start_payload(), "files": uploads(export_bytes)}
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pipedrive:run", args=[run.pk])
    assert (run.status, run.dry_run, run.source) == (RunStatus.DONE, True, "files")
    assert sorted(run.files) == sorted(export_bytes)
    assert Deal.objects.count() == 0

    page = body(as_admin.get(response["Location"]))
    assert "Would create" in page and "Done" in page
    deals = len(tiny_dataset.importable_deals())
    row = re.search(r"<th scope=\"row\">Deals</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'<td class="num">([\d,]+)</td>', row)
    assert cells[:2] == [str(deals), str(deals)]  # read, would create
    assert "Import for real" in page
    assert 'hx-trigger="every' not in page


def test_files_are_recognised_by_their_columns_whatever_their_names(as_admin, export_bytes):
    files = [
        SimpleUploadedFile("export-1.csv", export_bytes["person"]),
        SimpleUploadedFile("export-2.csv", export_bytes["deal"]),
    ]
    response = as_admin.post(reverse("pipedrive:start"), {**start_payload(), "files": files})
    assert response.status_code == 302
    assert sorted(ImportRun.objects.get().files) == ["deal", "person"]


def test_unreadable_or_repeated_files_are_field_errors(as_admin, export_bytes):
    files = [
        SimpleUploadedFile("deals.csv", export_bytes["deal"]),
        SimpleUploadedFile("deals-again.csv", export_bytes["deal"]),
        SimpleUploadedFile("empty.csv", b""),
        SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100),
    ]
    response = as_admin.post(reverse("pipedrive:start"), {**start_payload(), "files": files})
    page = body(response)
    assert response.status_code == 422
    assert "deals.csv and deals-again.csv hold the same kind of records" in page
    assert "old.xls: This is an old Excel file" in page
    # Browsers cannot fill a file input again: the page says so, and which files were chosen.
    assert "choose them again (deals.csv, deals-again.csv, empty.csv, old.xls)" in page
    assert ImportRun.objects.count() == 0


def test_no_file_chosen_is_a_field_error(as_admin):
    response = as_admin.post(reverse("pipedrive:start"), start_payload())
    assert response.status_code == 422
    assert "Choose at least one export file." in body(response)


def test_a_file_over_the_limit_is_refused_before_it_is_read(export_bytes):
    upload = SimpleUploadedFile("deals.csv", export_bytes["deal"])
    form = StartImportForm(start_payload(), MultiValueDict({"files": [upload]}), max_file_bytes=100)
    assert not form.is_valid()
    assert form.errors["files"] == ["deals.csv is larger than 100\xa0bytes."]
    assert upload.tell() == 0  # not read


def test_large_uploads_stream_through_a_temporary_file(as_admin, export_bytes, settings):
    # Files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file instead of memory.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    assert len(export_bytes["deal"]) > 1024
    response = as_admin.post(reverse("pipedrive:start"), {**start_payload(), "files": uploads(export_bytes)})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.files["deal"]["bytes"] == len(export_bytes["deal"])


def test_a_bad_map_shows_its_error_at_the_map_and_keeps_everything_typed(as_admin, export_bytes):
    bad_map = "version: 1\npipelines:\n  Sales:\n    to: [not, a, name]\n"
    response = as_admin.post(
        reverse("pipedrive:start"),
        {
            **start_payload(map=bad_map, timezone="America/New_York", day_first="0", dry_run=None),
            "files": uploads(export_bytes, {"deal"}),
        },
    )
    page = body(response)
    assert response.status_code == 422
    # The fault is shown at the map, with its path in the map.
    assert re.search(
        r'<textarea name="map".*?</textarea>\s*<small[^>]*>[^<]*</small>\s*'
        r'<ul class="field-errors"><li>pipelines › Sales › to: expected a name</li>',
        page,
        re.S,
    )
    assert "to: [not, a, name]" in page  # the text area keeps what was typed
    assert '<option value="America/New_York" selected>' in page
    assert re.search(r'<input type="radio" name="day_first" value="0"[^>]* checked', page)
    assert not re.search(r'<input type="checkbox" name="dry_run"[^>]* checked', page)
    assert ImportRun.objects.count() == 0


def test_an_uploaded_map_replaces_the_text_and_is_shown_when_rejected(as_admin, export_bytes):
    map_file = SimpleUploadedFile("map.yaml", b"version: 1\npipelines: nonsense\n")
    response = as_admin.post(
        reverse("pipedrive:start"),
        {**start_payload(map="ignored"), "map_file": map_file, "files": uploads(export_bytes, {"deal"})},
    )
    page = body(response)
    assert response.status_code == 422
    assert "pipelines: nonsense" in page
    assert "<li>pipelines: " in page


def test_an_uploaded_map_is_the_one_the_run_keeps(as_admin, export_bytes):
    text = services.reference_map_text().replace("# The reference", "# Our own copy of the reference")
    response = as_admin.post(
        reverse("pipedrive:start"),
        {
            **start_payload(map=""),
            "map_file": SimpleUploadedFile("map.yaml", text.encode()),
            "files": uploads(export_bytes, {"deal"}),
        },
    )
    assert response.status_code == 302
    assert ImportRun.objects.get().map_text == text


def test_the_api_needs_an_address_and_a_token(as_admin):
    response = as_admin.post(reverse("pipedrive:start"), start_payload(source="api"))
    page = body(response)
    assert response.status_code == 422
    assert "Give your company&#x27;s Pipedrive address" in page
    assert "Give an API token." in page
    assert ImportRun.objects.count() == 0


def test_the_token_is_never_sent_back_nor_logged(as_admin, caplog):
    caplog.set_level(logging.DEBUG)
    rejected = as_admin.post(
        reverse("pipedrive:start"),
        start_payload(
            source="api", base_url="https://acme.pipedrive.com", token=SECRET_TOKEN, map="pipelines: ["
        ),
    )
    assert rejected.status_code == 422
    assert SECRET_TOKEN not in body(rejected)
    assert "The token is never shown again: type it again." in body(rejected)

    started = as_admin.post(
        reverse("pipedrive:start"),
        start_payload(source="api", base_url="https://acme.pipedrive.com", token=SECRET_TOKEN),
        follow=True,
    )
    run = ImportRun.objects.get()
    assert run.source == "api" and run.status == RunStatus.PENDING  # queued after commit
    assert SECRET_TOKEN not in body(started)
    assert run.token_hint in body(started)  # "…cdef"
    assert SECRET_TOKEN not in body(as_admin.get(reverse("pipedrive:index")))
    assert SECRET_TOKEN not in body(as_admin.get(reverse("pipedrive:report", args=[run.pk])))
    assert SECRET_TOKEN not in caplog.text
    assert SECRET_TOKEN not in run.token_encrypted


def test_a_second_run_waits_for_the_running_one(as_admin, importer_admin, export_bytes):
    files_run(importer_admin, export_bytes, entities={"organization"})
    response = as_admin.post(
        reverse("pipedrive:start"), {**start_payload(), "files": uploads(export_bytes, {"deal"})}
    )
    assert response.status_code == 422
    assert "Wait for the running import to end, or interrupt it." in body(response)
    assert ImportRun.objects.count() == 1


def test_the_runs_are_listed_newest_first_and_paginated(as_admin, importer_admin, export_bytes):
    for _n in range(21):
        run = files_run(importer_admin, export_bytes, entities={"organization"})
        services.interrupt_import(run=run, actor=importer_admin)
    newest = ImportRun.objects.order_by("-id").first()
    first = body(as_admin.get(reverse("pipedrive:index")))
    assert f"Run #{newest.pk}<" in first
    assert "Page 1 of 2" in first
    second = body(as_admin.get(reverse("pipedrive:index") + "?page=2"))
    oldest = ImportRun.objects.order_by("id").first()
    assert f"Run #{oldest.pk}<" in second and f"Run #{newest.pk}<" not in second


# -- the run page ---------------------------------------------------------------------------------


def test_the_region_polls_while_the_run_is_active_and_stops_when_it_is_done(
    as_admin, importer_admin, export_bytes
):
    run = files_run(importer_admin, export_bytes, entities={"organization", "person"})
    url = reverse("pipedrive:run", args=[run.pk])
    page = body(as_admin.get(url))
    assert 'id="run-live"' in page
    assert 'hx-trigger="every 2s"' in page and 'hx-select="#run-live-body"' in page
    assert 'hx-swap="innerHTML"' in page
    assert "Waiting to start" in page

    poll = as_admin.get(url, headers={"HX-Request": "true", "HX-Target": "run-live"})
    assert 'hx-trigger="every 2s"' in body(poll)
    assert "<html" not in body(poll) and 'id="run-live-body"' in body(poll)
    assert "HX-Refresh" not in poll

    services.execute_run(run.pk)
    poll = as_admin.get(url, headers={"HX-Request": "true", "HX-Target": "run-live"})
    assert "hx-trigger" not in body(poll)
    assert poll["HX-Refresh"] == "true"
    assert 'hx-trigger="every' not in body(as_admin.get(url))


def test_a_run_waiting_for_the_budget_polls_slowly_and_says_when_it_goes_on(
    as_admin, importer_admin, export_bytes
):
    run = files_run(importer_admin, export_bytes, entities={"organization"})
    # The state the runner leaves when Pipedrive's daily budget is spent.
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.WAITING_FOR_BUDGET,
        resume_after="2026-09-02T00:00:00Z",
        budget={"daily_limit": 30000, "daily_remaining": 0, "requests": 1200},
    )
    page = body(as_admin.get(reverse("pipedrive:run", args=[run.pk])))
    assert 'hx-trigger="every 60s"' in page
    assert "goes on by itself after 02.09.2026" in page
    assert "Pipedrive API budget left today: 0 of 30,000 tokens." in page


def test_progress_shows_records_rate_and_phase_while_running(as_admin, importer_admin, export_bytes):
    run = files_run(importer_admin, export_bytes)
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, phase="deal", done_steps=1234, total_steps=5000
    )
    page = body(as_admin.get(reverse("pipedrive:run", args=[run.pk])))
    assert '<progress max="5000" value="1234"' in page
    assert "1,234 of 5,000 records" in page
    assert "phase: deals" in page
    assert "25%" in page


def test_progress_without_a_total_shows_counts_only(as_admin, importer_admin, export_bytes):
    run = files_run(importer_admin, export_bytes, entities={"organization"})
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, done_steps=42, total_steps=0)
    page = body(as_admin.get(reverse("pipedrive:run", args=[run.pk])))
    assert "42 records read" in page
    assert "%</strong>" not in page


def test_interrupt_then_resume(as_admin, importer_admin, export_bytes, django_capture_on_commit_callbacks):
    run = files_run(importer_admin, export_bytes)
    url = reverse("pipedrive:run", args=[run.pk])
    assert "Interrupt" in body(as_admin.get(url))

    response = as_admin.post(reverse("pipedrive:interrupt", args=[run.pk]), follow=True)
    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED
    assert response.redirect_chain == [(url, 302)]
    page = body(response)
    assert "interrupted: it stops after the record it is writing" in page
    assert 'hx-trigger="every' not in page
    assert f'action="{reverse("pipedrive:resume", args=[run.pk])}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(reverse("pipedrive:resume", args=[run.pk]))
    assert response.status_code == 302 and response["Location"] == url
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_resume_waits_until_an_interrupted_worker_has_stopped(as_admin, importer_admin, export_bytes):
    run = files_run(importer_admin, export_bytes, entities={"organization"})
    services.interrupt_import(run=run, actor=importer_admin)
    url = reverse("pipedrive:run", args=[run.pk])
    # The worker wrote a record a moment ago: it may still be finishing it.
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    page = body(as_admin.get(url))
    assert "Stopping: the worker finishes the record it is writing." in page
    assert reverse("pipedrive:resume", args=[run.pk]) not in page
    assert 'hx-trigger="every 2s"' in page
    poll = as_admin.get(url, headers={"HX-Request": "true", "HX-Target": "run-live"})
    assert "HX-Refresh" not in poll
    refused = as_admin.post(reverse("pipedrive:resume", args=[run.pk]))
    assert refused.status_code == 422
    assert "The import is still stopping: resume it in a few seconds." in body(refused)
    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED

    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=30))
    poll = as_admin.get(url, headers={"HX-Request": "true", "HX-Target": "run-live"})
    assert poll["HX-Refresh"] == "true"
    page = body(as_admin.get(url))
    assert reverse("pipedrive:resume", args=[run.pk]) in page
    assert 'hx-trigger="every' not in page


def test_a_done_run_cannot_be_resumed(as_admin, importer_admin, export_bytes):
    run = finished_files_run(importer_admin, export_bytes, entities={"organization"})
    response = as_admin.post(reverse("pipedrive:resume", args=[run.pk]))
    assert response.status_code == 422
    assert "This import cannot be resumed." in body(response)


def test_interrupting_a_stopped_run_changes_nothing(as_admin, importer_admin, export_bytes):
    run = finished_files_run(importer_admin, export_bytes, entities={"organization"})
    response = as_admin.post(reverse("pipedrive:interrupt", args=[run.pk]), follow=True)
    assert "was not running" in body(response)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_the_redirects_stay_on_the_site(as_admin, importer_admin, export_bytes):
    run = files_run(importer_admin, export_bytes, entities={"organization"})
    response = as_admin.post(
        reverse("pipedrive:interrupt", args=[run.pk]) + "?next=https://evil.example/",
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("pipedrive:run", args=[run.pk])


# -- API runs: the token asked again -------------------------------------------------------------


@pytest.fixture
def tiny_double(start_double, tiny_dataset):
    return start_double(tiny_dataset)


def test_a_failed_api_run_asks_for_the_token_to_resume(
    as_admin, tiny_double, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_admin.post(
            reverse("pipedrive:start"),
            start_payload(source="api", base_url=tiny_double.base_url, token="wrong-token-0000"),
        )
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED and run.token_encrypted == ""
    page = body(as_admin.get(reverse("pipedrive:run", args=[run.pk])))
    assert "Pipedrive refused the import" in page
    assert 'name="resume-token"' in page

    missing = as_admin.post(reverse("pipedrive:resume", args=[run.pk]))
    assert missing.status_code == 422
    assert "The token is not kept once a run ends." in body(missing)

    with django_capture_on_commit_callbacks(execute=True):
        resumed = as_admin.post(
            reverse("pipedrive:resume", args=[run.pk]), {"resume-token": tiny_double.token}
        )
    assert resumed.status_code == 302
    assert tiny_double.token not in body(as_admin.get(resumed["Location"]))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error


def test_an_api_dry_run_is_imported_for_real_with_the_token_given_again(
    as_admin, tiny_double, tiny_dataset, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_admin.post(
            reverse("pipedrive:start"),
            start_payload(source="api", base_url=tiny_double.base_url, token=tiny_double.token),
        )
    dry = ImportRun.objects.get()
    assert dry.status == RunStatus.DONE and dry.dry_run
    page = body(as_admin.get(reverse("pipedrive:run", args=[dry.pk])))
    assert 'name="real-token"' in page

    missing = as_admin.post(reverse("pipedrive:import_for_real", args=[dry.pk]))
    assert missing.status_code == 422
    assert "Give an API token." in body(missing)
    assert ImportRun.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            reverse("pipedrive:import_for_real", args=[dry.pk]), {"real-token": tiny_double.token}
        )
    real = ImportRun.objects.exclude(pk=dry.pk).get()
    assert response["Location"] == reverse("pipedrive:run", args=[real.pk])
    assert (real.dry_run, real.source, real.base_url, real.status) == (
        False,
        "api",
        dry.base_url,
        RunStatus.DONE,
    )
    assert Deal.objects.exists()
    page = body(as_admin.get(response["Location"]))
    assert "Reconciliation" in page and "✓ balance" in page
    assert tiny_double.token not in page


# -- import a dry run for real, reconciliation ----------------------------------------------------


def test_a_finished_dry_run_is_imported_for_real_from_the_same_files(
    as_admin, importer_admin, export_bytes, tiny_dataset, django_capture_on_commit_callbacks
):
    dry = finished_files_run(importer_admin, export_bytes)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(reverse("pipedrive:import_for_real", args=[dry.pk]))
    real = ImportRun.objects.exclude(pk=dry.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pipedrive:run", args=[real.pk])
    assert real.dry_run is False and real.status == RunStatus.DONE, real.error
    assert {e: i["sha256"] for e, i in real.files.items()} == {e: i["sha256"] for e, i in dry.files.items()}
    assert real.map_text == dry.map_text and real.options["from_dry_run"] == dry.pk
    assert Deal.objects.count() > 0

    page = body(as_admin.get(response["Location"]))
    assert "Reconciliation" in page
    assert "✓ balance" in page and "✗ difference" not in page
    assert "Every currency balances" in page
    assert f"dry run #{dry.pk}" in page
    assert "Import for real" not in page  # a real run is not imported again from its page
    dry_page = body(as_admin.get(reverse("pipedrive:run", args=[dry.pk])))
    assert f"run #{real.pk}" in dry_page


def test_only_a_finished_dry_run_is_imported_for_real(as_admin, importer_admin, export_bytes):
    real = finished_files_run(importer_admin, export_bytes, dry_run=False, entities={"organization"})
    response = as_admin.post(reverse("pipedrive:import_for_real", args=[real.pk]))
    assert response.status_code == 422
    assert "Only a finished dry run can be imported for real." in body(response)
    assert ImportRun.objects.count() == 1


def test_a_difference_in_the_reconciliation_is_marked(as_admin, importer_admin, export_bytes):
    run = finished_files_run(importer_admin, export_bytes, dry_run=False, entities={"organization", "deal"})
    # What the source held beyond what was imported (as if a deal had been lost on the way).
    values = dict(run.source_values)
    values["Lost pipeline"] = {"CHF": "1000.00"}
    ImportRun.objects.filter(pk=run.pk).update(source_values=values)
    page = body(as_admin.get(reverse("pipedrive:run", args=[run.pk])))
    assert "✗ difference" in page
    assert "Apogee holds less deal value than Pipedrive" in page
    assert "Apogee holds more deal value" not in page


# -- issues and report ------------------------------------------------------------------------------


@pytest.fixture
def run_with_issues(importer_admin, export_bytes):
    run = files_run(importer_admin, export_bytes, entities={"organization"})
    services.interrupt_import(run=run, actor=importer_admin)
    issues = [
        ImportIssue(
            run=run, entity="deal", source_id=str(n), row=n + 1, level="error", message=f"deal error {n}"
        )
        for n in range(60)
    ]
    issues += [
        ImportIssue(
            run=run, entity="person", source_id=str(n), level="duplicate", message=f"same as {n + 100}"
        )
        for n in range(3)
    ]
    issues.append(ImportIssue(run=run, entity="stage", source_id="7", level="unmapped", message="stage Foo"))
    ImportIssue.objects.bulk_create(issues)
    return run


def test_issues_are_filtered_by_level_and_record_and_paginated(as_admin, run_with_issues):
    url = reverse("pipedrive:run", args=[run_with_issues.pk])
    page = body(as_admin.get(url))
    assert re.search(r"All <span class=\"count\">64</span>", page)
    assert re.search(r"Errors <span class=\"count\">60</span>", page)
    assert re.search(r"Suspected duplicates <span class=\"count\">3</span>", page)
    assert re.search(r"Warnings <span class=\"count\">0</span>", page)
    assert "64 issues, page 1 of 2" in page
    assert "deal error 0<" in page and "deal error 50<" not in page

    page = body(as_admin.get(url + "?level=error&page=2"))
    assert "60 issues, page 2 of 2" in page
    assert "deal error 59<" in page and "deal error 0<" not in page and "same as" not in page

    page = body(as_admin.get(url + "?level=duplicate"))
    assert "same as 100" in page and "deal error" not in page
    assert "<td>Person</td>" in page

    page = body(as_admin.get(url + "?entity=stage"))
    assert "stage Foo" in page and "deal error" not in page and "same as" not in page

    page = body(as_admin.get(url + "?level=warning"))
    assert "No issue matches this filter." in page

    # Nonsense in the query is ignored, never a 500.
    assert as_admin.get(url + "?level=nope&entity=%00&page=abc").status_code == 200


def test_a_run_without_issues_says_so(as_admin, importer_admin, export_bytes):
    run = files_run(importer_admin, export_bytes, entities={"organization"})
    services.interrupt_import(run=run, actor=importer_admin)
    page = body(as_admin.get(reverse("pipedrive:run", args=[run.pk])))
    assert "No issues" in page


# Session, user, run, counts per level, issues page, reconciliation (3), later real run: none per issue.
RUN_PAGE_QUERIES = 11


def test_the_run_page_costs_the_same_queries_whatever_the_number_of_issues(
    as_admin, importer_admin, export_bytes, django_assert_max_num_queries
):
    counts = []
    for number in (1, 400):
        run = finished_files_run(importer_admin, export_bytes, dry_run=False, entities={"organization"})
        ImportIssue.objects.bulk_create(
            [
                ImportIssue(run=run, entity=entity, source_id=str(n), level=level, message="m")
                for n in range(number)
                for entity, level in (("organization", "warning"), ("person", "duplicate"), ("deal", "error"))
            ]
        )
        url = reverse("pipedrive:run", args=[run.pk])
        with CaptureQueriesContext(connection) as queries:
            assert as_admin.get(url).status_code == 200
        counts.append(len(queries))
        with django_assert_max_num_queries(RUN_PAGE_QUERIES):
            as_admin.get(url + "?level=warning&entity=organization&page=3")
    assert counts[0] == counts[1] <= RUN_PAGE_QUERIES


def test_the_report_downloads_as_csv(as_admin, run_with_issues):
    response = as_admin.get(reverse("pipedrive:report", args=[run_with_issues.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="pipedrive-run-{run_with_issues.pk}.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == "section,entity,source_id,row,level,message"
    assert "issue,deal,0,1,error,deal error 0" in lines
    assert len([line for line in lines if line.startswith("issue,")]) == 64


def test_the_run_page_shows_how_every_column_of_every_file_was_read(as_admin, importer_admin):
    from apogee.integrations.pipedrive import services

    files = {"deal": b"Deal - Title,Deal - Value,Deal - Currency,Deal - Mystery column\nA,1,CHF,x\n"}
    run = services.start_import(
        actor=importer_admin, source="files", dry_run=True, files=files, enqueue=False
    )
    services.execute_run(run.pk)
    page = as_admin.get(f"/settings/pipedrive/runs/{run.pk}/").content.decode()
    assert "Deal - Title" in page and "Deal - Mystery column" in page
    assert "How the files&#x27; columns were read" in page or "How the files' columns were read" in page


def test_an_earlier_real_run_points_to_the_later_one_for_what_apogee_holds_now(as_admin, importer_admin):
    from apogee.integrations.pipedrive import services

    files = {
        "deal": b"Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Pipeline,Deal - Stage,"
        b"Deal - Deal created\n"
        b"1,A,10,CHF,ESA Sales,Proposal preparation,2024-01-05 10:00:00\n"
    }
    first = services.execute_run(
        services.start_import(
            actor=importer_admin, source="files", dry_run=False, files=files, enqueue=False
        ).pk
    )
    page = as_admin.get(f"/settings/pipedrive/runs/{first.pk}/").content.decode()
    assert "Totals per currency" in page and "has read these records since" not in page
    second = services.execute_run(
        services.start_import(
            actor=importer_admin, source="files", dry_run=False, files=files, enqueue=False
        ).pk
    )
    page = as_admin.get(f"/settings/pipedrive/runs/{first.pk}/").content.decode()
    assert "has read these records since" in page and f"/settings/pipedrive/runs/{second.pk}/" in page
    assert "Totals per currency" not in page
    page = as_admin.get(f"/settings/pipedrive/runs/{second.pk}/").content.decode()
    assert "Every currency balances" in page
