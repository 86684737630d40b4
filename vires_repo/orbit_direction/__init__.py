"""Orbit-direction lookup tables: boundaries of geographic and Quasi-Dipole latitude extrema.

* :mod:`.missions`: the missions, spacecraft and grades with tables, their VirES table names
  and thresholds (the one place to add a mission);
* :mod:`.extract`: boundaries of a latitude series, sample sanitizing;
* :mod:`.qd`: Quasi-Dipole latitude (apexpy through :mod:`vires_repo.io.apex`) and the QD
  boundaries, coarse to fine;
* :mod:`.positions`: spacecraft positions of product files;
* :mod:`.product_extraction`: the boundaries of one product with its neighbours' edges, many
  products in worker processes;
* :mod:`.table` and :mod:`.invariants`: one table in memory, products added with their
  neighbours, and the invariants it must keep;
* :mod:`.store`, :mod:`.manifest`, :mod:`.partitions`, :mod:`.loaded_table`: the tables in the
  catalogue (monthly Parquet partitions behind a manifest) and a window of one in memory;
* :mod:`.sql`: the DuckDB views over the stored tables;
* :mod:`.vires_cdf`: VirES table files (CDF) in and out.

The use cases (update, sync, rebuild, import, export, lookup) are
:mod:`vires_repo.services.orbit_direction`.
"""
