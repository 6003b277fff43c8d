"""Files only the user bedtales runs as may read: the data directory, the SQLite database
(subscriber URLs hold mail passwords, households their page tokens), the settings file (the
link secret, perhaps API keys) and the local media.

Each is made private as it is created — never created readable and chmod-ed after, which
would leave a moment when others could open it — and one an older bedtales made readable
is tightened, if this user owns it (another user's was set so on purpose).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def create_file(path: Path, text: str = "") -> bool:
    """Create ``path`` 0600 with ``text``; False, and nothing written, when it exists."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    return True


def make_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each 0700 as it is made (``Path.mkdir``
    would give the parents the default mode)."""
    try:
        folder.mkdir(mode=PRIVATE_DIR)
    except FileNotFoundError:
        if folder.parent == folder:
            raise
        make_folders(folder.parent)
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    except FileExistsError:
        if not folder.is_dir():
            raise


def tighten(path: Path) -> None:
    """Make ``path`` this user's alone (0700 a folder, 0600 a file) if others can reach it
    and this user owns it; a missing path is left alone."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)
