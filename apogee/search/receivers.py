"""Signal receivers that keep the search index in step with every save and delete.

Why signals, against the house rule: the index is a copy of the records' text, not a
business reaction; it must be written in the transaction of the change (a domain-event
consumer runs after commit, so a search would briefly find what was deleted or miss what
was created), and it must follow every write path, including ones added later.
"""

from django.db.models.signals import post_delete, post_save, pre_delete

from apogee.contacts.models import Organization, PersonEmail

from . import indexing

DISPATCH = "apogee.search"


def _saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    # raw: loaddata, whose related rows may not exist yet; reindex_search follows a restore.
    if raw or not indexing.touches_index(sender, update_fields):
        return
    if indexing.defer(indexing.KIND_OF_MODEL[sender], instance.pk):
        return
    indexing.index_record(instance)


def _deleted(sender, instance, **kwargs):
    indexing.remove_record(indexing.KIND_OF_MODEL[sender], instance.pk)


def _email_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if indexing.defer("person", instance.person_id):
        return
    indexing.reindex_records("person", [instance.person_id])


def _organization_deleting(sender, instance, **kwargs):
    # Its persons lose their organization by an UPDATE that sends no signal: note who they are.
    instance._search_person_ids = list(instance.persons.values_list("pk", flat=True))


def _organization_deleted(sender, instance, **kwargs):
    _deleted(sender, instance)
    indexing.reindex_records("person", getattr(instance, "_search_person_ids", []))


def connect() -> None:
    for model in indexing.KIND_OF_MODEL:
        post_save.connect(_saved, sender=model, dispatch_uid=f"{DISPATCH}.saved.{model.__name__}")
        if model is not Organization:
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"{DISPATCH}.deleted.{model.__name__}")
    pre_delete.connect(_organization_deleting, sender=Organization, dispatch_uid=f"{DISPATCH}.org_deleting")
    post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid=f"{DISPATCH}.org_deleted")
    post_save.connect(_email_changed, sender=PersonEmail, dispatch_uid=f"{DISPATCH}.email_saved")
    post_delete.connect(_email_changed, sender=PersonEmail, dispatch_uid=f"{DISPATCH}.email_deleted")


def index_existing_records(sender, using="default", **kwargs) -> None:
    """After migrate: a database that has records but an empty index (it was just created, on an
    existing workspace) gets indexed once. Later migrates find documents and do nothing."""
    from django.db import connections

    from .models import SearchDocument

    connection = connections[using]
    if SearchDocument._meta.db_table not in connection.introspection.table_names():
        return
    if SearchDocument.objects.using(using).exists():
        return
    if any(model.objects.using(using).exists() for model in indexing.KIND_OF_MODEL):
        indexing.rebuild_index()
