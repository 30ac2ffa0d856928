"""The web: a Starlette app over the domain in `events/` and the read models in `projections/`."""
