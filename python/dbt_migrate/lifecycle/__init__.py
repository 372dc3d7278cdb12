"""Pause / restore / status of a group's models: readiness core (pure), files, state document, git, ops."""
