"""Draw the layers: the web map (render.web) and the print map (render.print)."""
