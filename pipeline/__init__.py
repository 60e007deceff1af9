"""balado: French articles in, a podcast feed out.

Stages (one module each): article → script → synthesis → assembly → manifest → feed/site.
Heavy libraries (pydub, feedgen, gTTS) are imported inside the functions that need them so
that a no-op rebuild starts as fast as ``invoke --list``.
"""
