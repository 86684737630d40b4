"""Use cases behind the CLI commands; each takes a Catalog, returns plain data, never prints."""
