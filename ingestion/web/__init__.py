"""Landing-zone loaders: web sources."""
