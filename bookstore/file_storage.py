"""The filesystem storage of covers and uploaded exports: a file appears under its name whole,
or not at all.

Django's FileSystemStorage writes in place, so a save that fails part-way (a full disk, a quota)
leaves a truncated file under the name, which nothing deletes: an empty medium thumbnail made a
cover's next try believe all three files stored (store_cover's one existence check) and apply a
cover whose files were missing, and a cut-off export stayed in the private uploads under a name
no job knew. Here each file is written under a hidden name of its own beside it, then linked to
its name (never over another file: a name taken meanwhile gets another, as Django's does), and
the hidden name removed; a save that fails removes what it wrote. A process killed mid-write
leaves only a hidden `.*.partial` file, which the daily housekeeping deletes once a day old
(`partial_files_delete`).
"""

import contextlib
import datetime
import errno
import os
import posixpath
import re
import time
import uuid

from django.core.files.storage import FileSystemStorage

#: A filesystem that cannot hard-link answers one of these: the file is then renamed into place.
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


#: The hidden name a file is written under before it is linked to its own.
_PARTIAL_NAME = re.compile(r"^\.[0-9a-f]{32}\.partial$")


class AtomicFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage whose saves are whole or leave nothing (see the module)."""

    def _save(self, name, content):
        partial = posixpath.join(posixpath.dirname(name), f".{uuid.uuid4().hex}.partial")
        try:
            written = super()._save(partial, content)  # type: ignore[misc]  # not in the stubs
        except BaseException:
            with contextlib.suppress(OSError):  # a name only this call used: its own half file
                os.remove(self.path(partial))
            raise
        try:
            return self._publish(written, name)
        finally:
            with contextlib.suppress(OSError):  # linked under its name, or failed: not kept
                os.remove(self.path(written))

    def _publish(self, written: str, name: str) -> str:
        """Give the whole file `written` the name `name`, or another when that is taken."""
        while True:
            target = self.path(name)
            # Django's allow_overwrite, when a storage asks for it: the file replaced whole.
            if getattr(self, "_allow_overwrite", False):
                os.replace(self.path(written), target)
                return os.path.relpath(target, self.location).replace("\\", "/")
            try:
                os.link(self.path(written), target)
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                if os.path.lexists(target):
                    name = self.get_available_name(name)
                    continue
                os.rename(self.path(written), target)
            return os.path.relpath(target, self.location).replace("\\", "/")


def partial_files_delete(storage, *, older_than: datetime.timedelta) -> int:
    """Delete the hidden half files that saves of a killed process left in `storage` (an
    AtomicFileSystemStorage; any other has none), those older than `older_than` (no save takes
    that long); returns how many."""
    if not isinstance(storage, AtomicFileSystemStorage):
        return 0
    deadline = time.time() - older_than.total_seconds()
    deleted = 0
    for directory, _subdirectories, names in os.walk(storage.location):
        for name in names:
            if not _PARTIAL_NAME.match(name):
                continue
            path = os.path.join(directory, name)
            with contextlib.suppress(FileNotFoundError):  # a save just linked it and removed it
                if os.stat(path).st_mtime < deadline:
                    os.remove(path)
                    deleted += 1
    return deleted
