"""The demo's folder: the plan it plays, making the folder ready, and which files are a demo's.

`duban demo --out DIR` writes its database, transcript, ledger and digest chart there; a folder
it made carries a marker, so that a rerun may clear and reuse it, and any other non-empty
folder is refused.
"""

from __future__ import annotations

import re
import site
import sys
import sysconfig
from pathlib import Path

from bot.errors import UserError

PLAN_NAME = "changzhou-2023-plan.txt"
MARKER = ".duban-demo"  # marks a folder this command made, so that a rerun may reuse it
DB_NAME = "duban.db"
TRANSCRIPT_NAME = "transcript.txt"


def example_plan() -> Path:
    """The Changzhou plan that ships with duban: examples/ in the source tree, or where
    `pip install .` put it (share/duban/examples under the installation prefix)."""
    here = Path(__file__).resolve().parent.parent / "examples"
    prefixes = [sys.prefix, sysconfig.get_path("data"), site.USER_BASE or ""]
    places = [here] + [Path(p) / "share" / "duban" / "examples" for p in prefixes if p]
    for place in places:
        if (place / PLAN_NAME).is_file():
            return place / PLAN_NAME
    raise UserError(f"the demo's plan {PLAN_NAME} is missing; looked in {here}")


def prepare_folder(folder: Path) -> None:
    """Make `folder` ready for a new demo: create it, or clear an earlier demo's files in it.
    A non-empty folder that no demo made is refused, so nothing of the user's is overwritten."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out {folder}: not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise UserError(
                f"--out {folder}: the folder is not empty and is not an earlier demo's; "
                "choose another with --out DIR"
            )
        for path in folder.iterdir():
            if path.is_file() and (path.name == MARKER or demo_file(path.name)):
                path.unlink()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("made by duban demo; running it again replaces its files\n")
    except OSError as e:
        raise UserError(f"--out {folder}: cannot write there: {e.strerror or e}") from None


def demo_file(name: str) -> bool:
    """Whether a file of this name is one a demo leaves (and a rerun replaces)."""
    return (
        name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", TRANSCRIPT_NAME)
        or re.fullmatch(r"(?:督查台账|ledger)-[\d-]+\.xlsx|digest-[\d-]+\.png", name) is not None
    )
