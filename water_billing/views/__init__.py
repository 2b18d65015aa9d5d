"""Water bill views, by audience (readings, billing, citizen)."""
