"""Landing-zone loaders: crm sources."""
