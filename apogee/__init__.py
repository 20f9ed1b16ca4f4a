"""Apogee: a CRM for bid and opportunity management in engineering subcontracting."""
