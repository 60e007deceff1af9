"""The command line: one task collection (:mod:`.tasks`) run by ``invoke`` in a clone and by the
installed ``balado`` command (:mod:`.program`), and how a task finds its show (:mod:`.show`)."""
