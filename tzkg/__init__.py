"""tzkg: the knowledge graph of Taizhou's science-and-technology innovation plan."""

__version__ = "0.1.0"
