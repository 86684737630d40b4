"""vires_repo: a file-based GitOps catalogue manager for VirES-style satellite data services."""

__version__ = "0.1.0"
