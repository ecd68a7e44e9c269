"""Every file geomap writes: staging, tables, GIS layers, report, embed."""
