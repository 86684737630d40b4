"""Generators of realistic test data (synthetic Swarm products and orbits).

Used by the tests, the benchmarks and the demo."""
