"""The orbit-direction use cases, one module per job.

* :mod:`.maintenance`: ``orbit_direction update``, ``sync`` and ``rebuild``;
* :mod:`.registration`: what ``product register`` and ``deregister`` do to the tables;
* :mod:`.vires_files`: ``orbit_direction import`` and ``export`` of VirES table files;
* :mod:`.lookup`: orbit directions at given times;
* :mod:`.info`: the tables as ``cached_product dump`` records and as SQL views;
* :mod:`.sources`: the source collections (``calculateOrbitDirection: true``) and products;
* :mod:`.batches`: adding a batch of products to the two tables of a source collection;
* :mod:`.reporting`: :class:`~.reporting.Messages`, the one way this service reports, and the
  result counts.

The tables themselves (missions, extraction, storage) are :mod:`vires_repo.orbit_direction`.
"""
