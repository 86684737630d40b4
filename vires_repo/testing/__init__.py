"""Generators of realistic test data (synthetic Swarm products and orbits).

Used by the tests, the benchmarks and the demo. :mod:`.sampling` (times, orbits, dipole field)
feeds the product writers of :mod:`.mag_products`, :mod:`.observatory_products` and
:mod:`.conjunction_products`, which share :mod:`.product_files` (names, CDF writing)."""
