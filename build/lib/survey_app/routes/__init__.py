"""Routes per area; each module ends with `routes = [...]`."""
