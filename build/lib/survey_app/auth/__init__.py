"""Accounts, sessions, CSRF, login throttling and the route guard."""
