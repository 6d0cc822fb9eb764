"""Landing-zone loaders: ads sources."""
