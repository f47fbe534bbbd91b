"""Framework glue with no knowledge of the domain: controllers, container, Django, logging."""
