"""The one copy path of the operations: mirror, sync, backup and restore all run through it.

* :mod:`~vires_repo.replication.files` says which files of a catalogue are copied (not
  ``.state/``: lock, maintenance flag, events log, instance role, checksum record; not
  ``.git/`` or temporary files) and which of them are commit points (the manifests);
* :mod:`~vires_repo.replication.sources` reads the source side: a catalogue, or a backup
  (:mod:`~vires_repo.replication.backups`, with :mod:`~vires_repo.replication.git_snapshot`
  for its git bundle);
* :mod:`~vires_repo.replication.checksums` gives every file's sha256, reusing the hashes
  recorded at the destination for files whose listing stamp has not changed;
* :mod:`~vires_repo.replication.plan` compares the two sides by sha256 (never only by name
  and size) and orders the work: data files first, manifests last, removals after both;
* :mod:`~vires_repo.replication.copy` carries a plan out under the destination's lock and
  maintenance flag and appends to its events log (:mod:`~vires_repo.replication.events`);
* :mod:`~vires_repo.replication.roles` holds the instance role (``ops``, ``test``, ``dev``)
  that a mirror onto ``ops`` must respect; :mod:`~vires_repo.replication.replicas` records
  which state each replica of a catalogue holds.
"""
