"""The index follows every create, update, delete and restore of deals, leads, persons,
organizations and notes, in the same transaction; reindex_search rebuilds it from scratch."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from apogee.contacts import services as contacts
from apogee.deals import services as deals
from apogee.leads import services as leads
from apogee.notes import services as notes
from apogee.search.backends import search_ids
from apogee.search.models import SearchDocument
from apogee.workspace import trash
from tests.contacts.factories import make_organization, make_person
from tests.deals.factories import make_deal
from tests.leads.factories import make_lead
from tests.notes.factories import make_note

pytestmark = pytest.mark.django_db


def found(query, kinds=None):
    """(kind, id) pairs the index matches, best first."""
    return [(hit.kind, hit.object_id) for hit in search_ids(query, kinds, limit=100)]


def document(kind, object_id):
    return SearchDocument.objects.filter(kind=kind, object_id=object_id).values().first()


def test_a_deal_is_indexed_on_create_and_follows_its_title(sales_pipeline, salesperson):
    org = make_organization("RUAG Space")
    deal = make_deal(
        pipeline=sales_pipeline, owner=salesperson, title="Gimbal for Sentinel", organization=org
    )

    assert found("sentinel") == [("deal", deal.pk)]
    assert document("deal", deal.pk) | {"updated_at": None} == {
        "id": document("deal", deal.pk)["id"],
        "kind": "deal",
        "object_id": deal.pk,
        "title": "gimbal for sentinel",
        "body": "ruag space",
        "label": "Gimbal for Sentinel",
        "detail": "RUAG Space",
        "updated_at": None,
    }

    deals.update_deal(deal=deal, actor=None, changes={"title": "Hinge for Copernicus"})

    assert found("sentinel") == []
    assert found("copernicus") == [("deal", deal.pk)]


def test_deleting_a_deal_removes_it_and_restoring_brings_it_back(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Antenna pointing mechanism")

    deals.delete_deal(deal=deal, actor=None)
    assert found("antenna") == []
    assert document("deal", deal.pk) is None

    deals.restore_deal(deal=deal, actor=None)
    assert found("antenna") == [("deal", deal.pk)]


def test_purging_a_deal_removes_it_and_its_notes(sales_pipeline, salesperson, admin):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Purged deal")
    note = make_note(target=deal, author=salesperson, body="Tender lost to competitor")
    deals.delete_deal(deal=deal, actor=None)

    trash.purge_deal(deal=deal, actor=admin)

    assert found("tender") == [] and found("purged") == []
    assert not SearchDocument.objects.filter(object_id__in=[deal.pk, note.pk]).exists()


def test_a_moved_deal_is_not_rewritten_when_its_text_did_not_change(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Reaction wheel")
    before = SearchDocument.objects.get(kind="deal", object_id=deal.pk).updated_at

    deals.move_deal_to_stage(deal=deal, stage=sales_pipeline.stages.order_by("position")[1], actor=None)

    assert SearchDocument.objects.get(kind="deal", object_id=deal.pk).updated_at == before


def test_a_lead_follows_create_update_delete_and_restore(workspace, salesperson):
    person = make_person("Anke Vogel")
    lead = make_lead(owner=salesperson, title="Thermal straps", person=person)
    assert found("thermal") == [("lead", lead.pk)]
    assert found("vogel", ["lead"]) == [("lead", lead.pk)]

    leads.update_lead(lead=lead, actor=None, changes={"title": "Cryogenic straps"})
    assert found("thermal") == [] and found("cryogenic") == [("lead", lead.pk)]

    leads.delete_lead(lead=lead, actor=None)
    assert found("cryogenic") == []
    leads.restore_lead(lead=lead, actor=None)
    assert found("cryogenic") == [("lead", lead.pk)]


def test_a_person_is_found_by_name_email_phone_and_organization():
    org = make_organization("Beyond Gravity")
    person = make_person("Jürg Brändli", emails=["j.braendli@beyondgravity.com"], organization=org)
    contacts.update_person(person=person, actor=None, changes={"phones": ["+41 44 555 12 34"]})

    for query in ("jurg", "brandli", "braendli", "beyondgravity", "gravity", "555 12", "41445551234"):
        assert found(query, ["person"]) == [("person", person.pk)], query

    contacts.update_person(person=person, actor=None, changes={"emails": ["jb@example.org"]})
    assert found("braendli") == []
    assert found("example org") == [("person", person.pk)]


def test_a_person_follows_delete_and_restore():
    person = make_person("Ottilie Kessler")

    contacts.delete_person(person=person, actor=None)
    assert found("kessler") == []
    contacts.restore_person(person=person, actor=None)
    assert found("kessler") == [("person", person.pk)]


def test_an_organization_is_found_by_vat_website_domain_and_city():
    org = make_organization(
        "Maxon Motor",
        vat_number="CHE-105.880.562",
        website="https://www.maxongroup.com",
        email_domains=["maxon.ch"],
        city="Sachseln",
    )

    for query in ("maxon", "CHE-105.880.562", "che105880562", "maxongroup", "maxon.ch", "sachseln"):
        assert ("organization", org.pk) in found(query, ["organization"]), query


def test_renaming_an_organization_reindexes_its_deals_leads_and_persons(sales_pipeline, salesperson):
    org = make_organization("Oerlikon Space")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Structure panel", organization=org)
    lead = make_lead(owner=salesperson, title="Follow-up", organization=org)
    person = make_person("Mia Roth", organization=org)

    contacts.update_organization(organization=org, actor=None, changes={"name": "Apco Technologies"})

    assert found("oerlikon") == []
    assert set(found("apco")) == {
        ("organization", org.pk),
        ("deal", deal.pk),
        ("lead", lead.pk),
        ("person", person.pk),
    }
    assert document("deal", deal.pk)["detail"] == "Apco Technologies"


def test_an_organization_follows_delete_restore_and_purge(admin):
    org = make_organization("Syderal Swiss")
    person = make_person("Noé Favre", organization=org)

    contacts.delete_organization(organization=org, actor=None)
    assert found("syderal") == [("person", person.pk)]  # the person still works there
    contacts.restore_organization(organization=org, actor=None)
    assert ("organization", org.pk) in found("syderal")

    contacts.delete_organization(organization=org, actor=None)
    trash.purge_organization(organization=org, actor=admin)

    assert found("syderal") == []
    assert found("favre") == [("person", person.pk)]


def test_a_note_is_indexed_as_text_and_follows_edit_and_delete(salesperson):
    org = make_organization("CSEM")
    note = make_note(
        target=org, author=salesperson, body="<p>Met <b>Dr. Häberli</b> at the <i>Space Days</i></p>"
    )

    assert found("haberli") == [("note", note.pk)]
    assert document("note", note.pk)["body"] == "met dr haberli at the space days"
    assert document("note", note.pk)["detail"] == "Met Dr. Häberli at the Space Days"
    assert found("space", ["note"]) == [("note", note.pk)]

    notes.edit_note(note=note, body="Budget approved", actor=None)
    assert found("haberli") == [] and found("budget") == [("note", note.pk)]

    notes.delete_note(note=note, actor=None)
    assert found("budget") == []


def test_a_change_rolled_back_leaves_the_index_as_it_was(sales_pipeline, salesperson):
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Solar array drive")

    with pytest.raises(RuntimeError), transaction.atomic():
        deals.update_deal(deal=deal, actor=None, changes={"title": "Never saved"})
        raise RuntimeError("rolled back")

    assert found("never") == []
    assert found("solar") == [("deal", deal.pk)]


def test_reindex_command_rebuilds_a_lost_or_stale_index(sales_pipeline, salesperson, capsys):
    org = make_organization("Thales Alenia Space")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Bracket", organization=org)
    gone = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Deleted bracket")
    deals.delete_deal(deal=gone, actor=None)
    note = make_note(target=deal, author=salesperson, body="Kick-off in Cannes")
    SearchDocument.objects.all().delete()
    assert found("bracket") == []

    call_command("reindex_search", batch_size=1)

    output = capsys.readouterr().out
    assert "deal: 1/1" in output and "Indexed 1 deal, 0 lead, 0 person, 1 organization, 1 note" in output
    assert found("bracket") == [("deal", deal.pk)]
    assert found("cannes") == [("note", note.pk)]
    assert found("thales") == [("organization", org.pk), ("deal", deal.pk)]


def test_the_full_text_index_agrees_with_the_documents(sales_pipeline, salesperson):
    """The FTS5 triggers (SQLite) or the generated column (PostgreSQL) keep up with every write."""
    for index in range(5):
        deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Probe {index}")
        deals.update_deal(deal=deal, actor=None, changes={"title": f"Lander {index}"})
    deals.delete_deal(deal=deal, actor=None)

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
        else:
            cursor.execute(
                "SELECT count(*) FROM search_document WHERE search_vector IS DISTINCT FROM "
                "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'D')"
            )
            assert cursor.fetchone() == (0,)
    assert len(found("lander")) == 4 and found("probe") == []


@pytest.mark.parametrize("kinds", [None, ["deal", "organization"]])
def test_windows_of_matches_neither_repeat_nor_skip(sales_pipeline, salesperson, kinds):
    """Equal ranks break ties by document: reading the matches window by window sees each once."""
    for index in range(7):
        make_deal(pipeline=sales_pipeline, owner=salesperson, title=f"Twin {index % 2}")
    make_organization("Twin Peaks")

    everything = search_ids("twin", kinds, limit=100)
    windows = [hit for offset in range(0, 8, 3) for hit in search_ids("twin", kinds, limit=3, offset=offset)]

    assert len(everything) == 8
    assert windows == everything


def test_a_deal_is_found_by_its_tender_reference_and_end_customer(sales_pipeline, salesperson):
    from apogee.deals.services import update_deal
    from apogee.search.queries import search
    from tests.contacts.factories import make_organization
    from tests.deals.factories import make_deal

    esa = make_organization("European Space Agency")
    deal = make_deal(pipeline=sales_pipeline, owner=salesperson, title="Sun shield")
    update_deal(deal=deal, actor=salesperson, changes={"tender_reference": "AO-12034", "end_customer": esa})

    assert [r.object.pk for r in search(salesperson, "ao 12034", kinds=["deal"])] == [deal.pk]
    assert deal.pk in [r.object.pk for r in search(salesperson, "european space", kinds=["deal"])]


def test_a_batch_indexes_its_records_when_it_ends(salesperson):
    from apogee.search import indexing

    with transaction.atomic():
        with indexing.batched():
            created = [
                contacts.create_person(
                    actor=salesperson,
                    name=f"Batch Person {n}",
                    emails=[f"batch{n}@example.com"],
                    allow_duplicate=True,
                )
                for n in range(30)
            ]
            assert not SearchDocument.objects.filter(
                kind="person", object_id__in=[p.pk for p in created]
            ).exists()
        assert (
            SearchDocument.objects.filter(kind="person", object_id__in=[p.pk for p in created]).count() == 30
        )
    assert ("person", created[-1].pk) in found("batch29@example.com")
    # Outside a batch, a save indexes at once, as before.
    single = contacts.create_person(actor=salesperson, name="Unbatched Person", allow_duplicate=True)
    assert SearchDocument.objects.filter(kind="person", object_id=single.pk).exists()
