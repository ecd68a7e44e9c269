"""Summaries as of the build date: control, displacement, mines, population."""
