"""Keep a long build's memory flat: large buffers go back to the system as soon as they are freed.

A build handles thousands of short-lived PCM buffers of a few hundred KB, on several threads.
glibc's malloc raises its mmap threshold each time such a buffer is freed, after which they are
carved from per-thread heaps that fragment and never shrink: a 2-hour digest grew by 30 MB that
way with no more live data than a 5-minute episode. A fixed threshold (glibc's own default
before it adapts) keeps every large buffer in its own mapping, returned whole when freed.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import platform

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
LARGE_BUFFER_BYTES = 128 * 1024


@functools.cache
def return_large_buffers() -> bool:
    """Fix glibc's mmap threshold for this process (once); False where malloc is not glibc's."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES))
    except (OSError, AttributeError):
        return False
