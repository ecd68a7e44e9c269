"""The interactive web map: folium/Leaflet page, its script, panels and assets."""
