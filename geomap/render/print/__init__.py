"""The print map: PDF and SVG drawn with matplotlib, the PNG the PDF's page rasterised.

This package's own module imports nothing heavy: the print worker reads
:data:`WARM_UP_STEPS` from it before it imports matplotlib.
"""

WARM_UP_STEPS = ("warm_up_words", "warm_up_pages", "read_fonts_ahead")
"""What :func:`geomap.render.print.save.warm_up` does, step by step (names of that
module's functions), in the order the print map's process meets them: the figure's
words, then the PDF and its raster, then the fonts the PDF embeds."""
