"""``python -m geomap``: the same command line as the ``geomap`` script."""

from geomap.cli import command

command()
