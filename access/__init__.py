"""API tokens, roles and the audit log."""
