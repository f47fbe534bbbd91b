"""Framework glue with no knowledge of the domain: controllers, the container, Django and logging set-up."""
