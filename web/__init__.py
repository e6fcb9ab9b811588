"""The web layer: blueprints, forms and CLI around the services."""
