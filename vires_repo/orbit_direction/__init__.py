"""Orbit-direction lookup tables: boundaries of geographic and Quasi-Dipole latitude extrema.

* :mod:`.missions`: the missions, spacecraft and grades with tables, their VirES table names
  and thresholds (the one place to add a mission);
* :mod:`.extract`: boundaries of a latitude series, sample sanitizing;
* :mod:`.qd`: Quasi-Dipole latitude and the QD boundaries, coarse to fine;
* :mod:`.table`: one table in memory, products added with their neighbours;
* :mod:`.positions`: spacecraft positions of product files;
* :mod:`.store`: the tables in the catalogue (monthly Parquet partitions behind a manifest);
* :mod:`.sql`: the DuckDB views over the stored tables;
* :mod:`.vires_cdf`: VirES table files (CDF) in and out.
"""
