"""The interactive web map: template, script and styles, and the data they show."""
