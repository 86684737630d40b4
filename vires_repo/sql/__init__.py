"""SQL over the catalogue: the DuckDB views of its definitions and product index."""
