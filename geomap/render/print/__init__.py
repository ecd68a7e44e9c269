"""The print map: PNG, PDF and SVG drawn with matplotlib."""
