"""What the app reads from its own folders when it starts (the symbol manifest, the activity
content) is read once a process: another app made in the same process (the tests make one a
test) reuses it while no file under those folders has changed."""

import os
from pathlib import Path

_read = {}


def _stamp(folders):
    """Each file under the folders with its size and time of change."""
    found = []
    for folder in folders:
        for where, _dirs, files in os.walk(folder):
            for name in files:
                info = os.stat(os.path.join(where, name))
                found.append((where, name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def read_once(key, folders, read):
    """read() the first time, or when a file under `folders` has changed since; else what it
    gave before. `key` names what is read (with whatever else it depends on)."""
    folders = [str(Path(folder).resolve()) for folder in folders]
    stamp = _stamp(folders)
    kept = _read.get(key)
    if kept is None or kept[0] != stamp:
        kept = _read[key] = (stamp, read())
    return kept[1]
