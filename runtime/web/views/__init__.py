"""Feature blueprints. Every module here that defines ``blueprint`` is registered by
``create_app`` (sorted by module name), so features can be added without touching the
factory."""
