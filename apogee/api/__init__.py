"""The JSON API: assembles the per-app ninja routers under /api/v1."""
