"""The gateway: one ASGI app on one port for every service (see `app.Gateway`)."""
