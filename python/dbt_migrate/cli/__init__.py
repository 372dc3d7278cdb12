"""Command line: thin click commands over the pipeline, lifecycle and checks."""

from .main import main

__all__ = ["main"]
