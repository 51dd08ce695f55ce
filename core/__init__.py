"""Shared core: settings, database models and session handling, errors, logging."""
