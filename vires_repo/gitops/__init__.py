"""GitOps helpers: the catalogue at a git revision, pull-request plans, git drivers.

* :mod:`.revisions`: read the catalogue as it was at a git revision (``--as-of``, ``plan``);
* :mod:`.plan`: what a change between two revisions does to the catalogue (Markdown);
* :mod:`.textconv`: the rows of a Parquet file as text, for ``git diff``;
* :mod:`.merge`: the key-aware merge of product-index manifests (``_manifest-<ID>.json``);
* :mod:`.setup`: install the two drivers into a clone's git config and ``.gitattributes``.
"""
