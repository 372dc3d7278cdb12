"""Command line: thin click commands over the pipeline, lifecycle and checks."""

from .. import interrupts

# Before anything else is imported: every Ctrl-C is counted from here on, so an interrupt that dbt
# catches in-process still reaches the pipeline (interrupts.py).
interrupts.install()

try:
    from .main import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still loading: nothing ran yet
    raise SystemExit(130) from None

__all__ = ["main"]
