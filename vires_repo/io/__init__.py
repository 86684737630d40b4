"""Seams to outside systems: the only modules that import fsspec, cdflib, duckdb, apexpy
or run git."""
