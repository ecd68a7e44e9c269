"""Fixtures of the render tests: small layers read once, one headless Chromium."""

from ..pages import browser, small_layers  # noqa: F401
