"""Search over every named entity: an index built with each store, Chinese first."""
