"""Fixtures of the export tests."""

from ..pages import small_layers  # noqa: F401
