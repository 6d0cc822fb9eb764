"""The refresh report: a static HTML page rendered from the marts after each refresh."""
