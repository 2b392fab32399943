"""The data plane: document schema, readers, writers, the versioned store and statistics."""

__version__ = "0.1.0"
