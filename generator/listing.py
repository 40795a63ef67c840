"""The listing of a folder: (size, modification time, inode) of every file but the
marker at its top, by its path in the folder, links not followed.

`output.py` lists the spare folder with it, and so does the child process it starts for
that while the build loads its state (`output.Walk`): this file run as a script,
`python -I -S listing.py FOLDER MARKER`, which writes the listing to its standard output
(`marshal`). It imports nothing of gongkai, so that the child starts at once, and the
two run the very same code.
"""

import marshal
import os
import sys


def listing(folder: str, marker: str) -> dict[str, tuple[int, int, int]]:
    found = {}

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for item in entries:
                if item.is_dir(follow_symlinks=False):
                    walk(item.path, prefix + item.name + "/")
                elif prefix or item.name != marker:
                    st = item.stat(follow_symlinks=False)
                    found[prefix + item.name] = (st.st_size, st.st_mtime_ns, st.st_ino)

    walk(folder, "")
    return found


if __name__ == "__main__":
    sys.stdout.buffer.write(marshal.dumps(listing(sys.argv[1], sys.argv[2])))
