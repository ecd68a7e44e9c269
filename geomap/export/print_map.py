"""Write the print map (``map.png``, ``map.pdf``, ``map.svg``) into the output folder.

:mod:`geomap.render.print.figure` draws it and returns bytes; every output file is
written by :mod:`geomap.export`.
"""

from __future__ import annotations

from pathlib import Path

from geomap.render.print.figure import draw_static_map


def write_static_map(folder: Path, **drawing: object) -> list[Path]:
    """Draw the print map and write its three files into *folder*.

    Parameters
    ----------
    folder : Path
        Where to write (the build's staging folder).
    **drawing
        The arguments of :func:`geomap.render.print.figure.draw_static_map`.

    Returns
    -------
    list of Path
        ``map.png``, ``map.pdf`` and ``map.svg``, written.
    """
    return write_printed(folder, draw_static_map(**drawing))


def write_printed(folder: Path, drawn: dict[str, bytes]) -> list[Path]:
    """Write the files of a drawn print map (name to bytes) into *folder*."""
    paths = []
    for name, data in drawn.items():
        path = Path(folder) / name
        path.write_bytes(data)
        paths.append(path)
    return paths
