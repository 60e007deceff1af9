"""`invoke` in a clone of balado: the same task collection as the installed ``balado`` command."""
from pipeline.command.tasks import ns  # noqa: F401  (Invoke looks for ``ns`` in tasks.py)
