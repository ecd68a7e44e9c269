"""The palette survives greyscale printing and common colour-vision deficiencies."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geomap.actors import ACTORS, CONTESTED_COLOR, NO_DATA_COLOR
from geomap.render import style

colorspacious = pytest.importorskip("colorspacious", reason="colorspacious not installed")

DRAWN_TOGETHER = {
    **{f"actor {actor.id}": actor.color for actor in ACTORS.values()},
    "contested": CONTESTED_COLOR,
    "no record": NO_DATA_COLOR,
    "changed-hands ring": style.CHANGED_RING_COLOR,
    "displacement": style.DISPLACEMENT_COLOR,
    "mines": style.MINE_COLOR,
}
"""Every colour that can share a map with another."""

VISIONS = {"normal": None, "deuteranopia": "deuteranomaly",
           "protanopia": "protanomaly"}


def _rgb(colour: str) -> np.ndarray:
    """sRGB in 0..1 from '#rrggbb'."""
    return np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])


def _seen(colour: str, deficiency: str | None) -> np.ndarray:
    """The colour as seen with a full deficiency (Machado et al. 2009)."""
    rgb = _rgb(colour)
    if deficiency is None:
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)


def _lightness(colour: str) -> float:
    """CIELAB L*: what survives a greyscale print."""
    return float(colorspacious.cspace_convert(_rgb(colour), "sRGB1", "CIELab")[0])


def test_m23_and_fardc_differ_in_greyscale() -> None:
    gap = abs(_lightness(ACTORS["m23"].color) - _lightness(ACTORS["fardc"].color))
    assert gap >= 20


@pytest.mark.parametrize("vision", VISIONS)
def test_every_pair_drawn_together_stays_apart(vision: str) -> None:
    close = []
    for (a, first), (b, second) in itertools.combinations(DRAWN_TOGETHER.items(), 2):
        distance = colorspacious.deltaE(_seen(first, VISIONS[vision]),
                                        _seen(second, VISIONS[vision]),
                                        input_space="sRGB1", uniform_space="CIELab")
        if distance < 15:
            close.append(f"{a} / {b}: {distance:.1f}")
    assert close == []


def test_the_check_would_catch_the_old_palette() -> None:
    """The former M23 and FARDC colours fail the greyscale rule (a test that bites)."""
    gap = abs(_lightness("#c0392b") - _lightness("#1f5fa8"))
    assert gap < 20


def test_each_confidence_is_drawn_differently_without_colour() -> None:
    drawn = {(c.dash, c.hatch, c.fill_alpha > 0) for c in style.CONFIDENCE_STYLES.values()}
    assert len(drawn) == len(style.CONFIDENCE_STYLES)
