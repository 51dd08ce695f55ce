"""The web UI: server-rendered pages (Jinja2 and htmx) over the same services as the API."""
