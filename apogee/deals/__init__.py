"""Deals: the opportunities the company bids on, and their life through a pipeline."""
