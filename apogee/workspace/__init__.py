"""Workspace configuration: the settings pages' home, currencies, and the demo workspace."""
