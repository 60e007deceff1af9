"""The command line: one task collection (:mod:`.tasks`) run by ``invoke`` in a clone and by the
installed ``balado`` command (:mod:`.program`), and how a task finds its show (:mod:`.show`)."""
from importlib import metadata


def version() -> str:
    """The installed balado's version."""
    try:
        return metadata.version("balado")
    except metadata.PackageNotFoundError:  # run from a clone that was never installed
        return "0+unknown"
