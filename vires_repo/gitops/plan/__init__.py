"""What a change between two git revisions does to the catalogue: the pull-request plan.

:func:`.compare.make_plan` compares the catalogue at BASE with the catalogue at HEAD (a git
revision or the working tree) and reports (:mod:`.changes`)

* product types and collections added, removed and changed (which keys, old -> new for short
  values), each with the products it affects (:mod:`.definition_diff`);
* per collection, the semantic difference of the product index: products added,
  de-registered, superseded by overlap (removed while an added product overlaps its time range)
  and updated (same identifier, different row), computed from the manifests and the data files
  (files listed by both manifests with the same tombstones hold the same live rows and are not
  read) (:mod:`.index_diff`);
* errors that make the change invalid: a definition at HEAD that does not validate, a
  collection at HEAD whose product type does not exist (e.g. removed), products at HEAD in a
  collection that is not defined (e.g. removed), an unreadable manifest or data file at HEAD.

:func:`.markdown.render_markdown` renders it for a CI job summary, in a deterministic order.
Both revisions are read from temporary copies (:mod:`vires_repo.gitops.revisions`) through
:mod:`.snapshot`, the working tree is read in place; nothing is written.
"""
