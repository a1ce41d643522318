"""The HTTP API: one module per resource (sparql, queries, resources, search, ...)."""
