"""The editor's desk: drafts and their approval, pronunciation rules heard before a rebuild,
and review pages (``review/``, beside ``public/``, never published)."""
