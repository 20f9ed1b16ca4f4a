"""File clean-up: an offer document's file leaves the disk once its row is gone for good.

Not a business reaction (ARCHITECTURE rule 9) but storage housekeeping: rows go by
remove_document and by cascades (a deal purged from the trash), and the file must go
with them however they went. After commit only: a rolled-back delete keeps its file.
"""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import OfferDocument


@receiver(post_delete, sender=OfferDocument, dispatch_uid="offers.delete_document_file")
def delete_document_file(sender, instance: OfferDocument, **kwargs) -> None:
    name = instance.file.name
    if not name:
        return
    storage = instance.file.storage
    transaction.on_commit(lambda: storage.delete(name))
