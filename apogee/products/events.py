"""Names of the domain events products record.

Catalogue events have the product as subject; data: name, code, and `changes`
{field: [before, after]} on an update. Events of a deal's products have the deal as
subject, so they show in its timeline; data: line, product, product_name, quantity,
item_price, currency, discount_percent, total (decimals as strings), and `changes` on a change.
"""

PRODUCT_CREATED = "products.product_created"
PRODUCT_UPDATED = "products.product_updated"
PRODUCT_ARCHIVED = "products.product_archived"
PRODUCT_RESTORED = "products.product_restored"

DEAL_PRODUCT_ADDED = "products.deal_product_added"
DEAL_PRODUCT_CHANGED = "products.deal_product_changed"
DEAL_PRODUCT_REMOVED = "products.deal_product_removed"
