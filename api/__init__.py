"""The REST API (FastAPI). Routers stay thin: they call the domain services."""
