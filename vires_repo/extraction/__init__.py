"""Data extraction (VirES's ``fetch_filtered_data``): the products of a window, auxiliary
variables, filters, sampling and the output files."""
