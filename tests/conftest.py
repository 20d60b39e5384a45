"""Shared fixtures; pytest-django provides db, client, admin_client, admin_user."""
