"""``perth pause`` / ``perth resume``: stop and start recording, per shell or everywhere."""

from __future__ import annotations

import os

from perth.errors import InvalidInputError
from perth.files import private_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.runtime import Runtime


def set_paused(rt: Runtime, *, paused: bool, everywhere: bool) -> str:
    """Create (pause) or remove (resume) the flag file the shell hooks test before recording."""
    from perth.capture.ingest import spool_dir
    from perth.capture.integration import global_pause_flag, session_pause_flag

    directory = spool_dir(rt)
    session = rt.environ.get("PERTH_SESSION", "")
    if not everywhere and not session:
        raise InvalidInputError("this shell has no Perth integration ($PERTH_SESSION is not set)",
                                "add the `perth init` line to your rc file, or use --global")
    flag = global_pause_flag(directory) if everywhere else session_pause_flag(directory, session)
    scope = "every shell" if everywhere else "this shell"
    if paused:
        private_dirs(directory)
        with open(flag, "a", encoding="utf-8"):
            pass
        return f"recording paused for {scope} (perth resume{' --global' if everywhere else ''} starts it again)"
    try:
        os.unlink(flag)
    except FileNotFoundError:
        return f"recording was not paused for {scope}"
    return f"recording resumed for {scope}"
