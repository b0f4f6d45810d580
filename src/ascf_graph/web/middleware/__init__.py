"""Pure ASGI middleware around the whole application."""
