"""Accounts: users, password hashing, signing keys and access tokens."""
