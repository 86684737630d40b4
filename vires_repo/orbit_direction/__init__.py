"""Orbit-direction lookup tables: boundaries of geographic and Quasi-Dipole latitude extrema."""
