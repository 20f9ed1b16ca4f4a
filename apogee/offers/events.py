"""Names of the domain events offers record. Every payload names its `deal`."""

OFFER_CREATED = "offer.created"
OFFER_UPDATED = "offer.updated"
# On the new revision; data names the one it superseded (which records offer.superseded).
OFFER_REVISED = "offer.revised"
OFFER_SUPERSEDED = "offer.superseded"
OFFER_SUBMITTED = "offer.submitted"
OFFER_ACCEPTED = "offer.accepted"
OFFER_REJECTED = "offer.rejected"
OFFER_DOCUMENT_ATTACHED = "offer.document_attached"
OFFER_DOCUMENT_REMOVED = "offer.document_removed"
