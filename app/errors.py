"""Errors that carry a message for the user (in Chinese) and detail for the log.

The data layers raise these; the CLI and the GUI catch them at the boundary and show
``user_message``. No traceback reaches a user.
"""

from __future__ import annotations


class AppError(Exception):
    """Base class: ``str(err)`` is the Chinese message shown to the user."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.user_message = message
        self.detail = detail


class InputError(AppError):
    """Invalid user input (输入有误); nothing was written."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(AppError):
    """A round, item or record that does not exist."""


class StoreError(AppError):
    """The database cannot be opened or written."""
