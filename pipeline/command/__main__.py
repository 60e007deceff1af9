"""``python -m pipeline.command``: the ``balado`` command where no script is on PATH."""
from pipeline.command.program import main

main()
