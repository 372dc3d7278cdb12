"""Command line: thin click commands over the pipeline, lifecycle and checks."""

from .. import interrupts

# Before anything else is imported: every Ctrl-C is counted from here on, so an interrupt that dbt
# catches in-process still reaches the pipeline (interrupts.py).
interrupts.install()

from .main import main  # noqa: E402

__all__ = ["main"]
