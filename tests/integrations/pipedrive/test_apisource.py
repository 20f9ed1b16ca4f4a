"""The API source against the local double: structure, every listing as records, resuming, flows."""

from apogee.integrations.pipedrive import records as r
from apogee.integrations.pipedrive.apisource import ApiSource


def records_of(source, listing, **options):
    return [item for item, _position in source.read(listing, **options) if isinstance(item, r.Record)]


def test_the_structure_is_read_whole(client, dataset):
    structure = ApiSource(client).read_structure()
    assert {p.name for p in structure.pipelines} == {p.name for p in dataset.pipelines}
    assert len(structure.users) == len(dataset.users)
    assert len(structure.stages) == len(dataset.stages)
    deal_fields = {f.name for f in structure.fields["deal"].values()}
    assert {"Opportunity type", "Programme", "Mission", "ESA reference"} <= deal_fields
    # Names are not unique ("Mission" twice): definitions are kept apart by their hash key.
    assert sum(1 for f in structure.fields["deal"].values() if f.name == "Mission") == 2
    assert structure.fields["lead"] is structure.fields["deal"]


def test_deals_archived_and_deleted_come_from_their_own_listings(client, dataset):
    source = ApiSource(client)
    listed = records_of(source, "deal")
    assert sorted(int(d.source_id) for d in listed) == sorted(d.id for d in dataset.listed_deals())
    archived = records_of(source, "archived_deal")
    assert sorted(int(d.source_id) for d in archived) == sorted(d.id for d in dataset.archived_deals())
    assert all(d.is_archived for d in archived)
    deleted = records_of(source, "deleted_deal") + records_of(source, "archived_deleted_deal")
    assert sorted(int(d.source_id) for d in deleted) == sorted(d.id for d in dataset.recently_deleted_deals())


def test_resuming_from_a_saved_position_reads_the_rest(client, dataset):
    source = ApiSource(client)
    everything = [d.source_id for d in records_of(source, "deal")]
    assert len(everything) > 600  # more than one page of 500
    seen, saved = [], None
    for item, position in source.read("deal"):
        if isinstance(item, r.Record):
            seen.append(item.source_id)
        saved = position
        if len(seen) == 520:  # into the second page
            break
    rest = [d.source_id for d in records_of(source, "deal", resume_from=saved)]
    # Resuming mid-page re-reads that page (the importer's links skip what it already wrote).
    assert set(seen) | set(rest) == set(everything)
    assert rest[-1] == everything[-1]
    assert len(rest) == len(everything) - 500  # only the second page is read again


def test_a_deals_flow_starts_with_its_creation(client, dataset):
    source = ApiSource(client)
    deal = next(d for d in records_of(source, "deal") if d.status == "won")
    flow = source.flow(deal)
    assert flow[0].source_id == f"{deal.source_id}:created"
    assert flow[0].at <= flow[-1].at
    assert flow[-1].to_stage.id == deal.stage.id
