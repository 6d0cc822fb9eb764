"""Landing-zone loaders: email sources."""
