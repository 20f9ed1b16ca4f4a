"""Custom fields: definitions as data, values in a JSON column, validated by a type registry."""
