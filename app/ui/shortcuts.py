"""The keys of the round's undo and redo, one definition for the walkthrough and the board."""

from __future__ import annotations

from .qt import QKeySequence


def undo_keys() -> list[QKeySequence]:
    return list(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))


def redo_keys() -> list[QKeySequence]:
    """The platform's redo keys and Ctrl+Y, redo everywhere in China's office software, each once:
    a key given twice to one shortcut makes it ambiguous, and then it does nothing."""
    keys = {k.toString(): k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)}
    keys.setdefault("Ctrl+Y", QKeySequence("Ctrl+Y"))
    return list(keys.values())
