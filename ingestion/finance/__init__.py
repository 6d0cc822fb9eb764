"""Landing-zone loaders: finance sources."""
