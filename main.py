"""医疗质量自查助手 — entry point: the GUI without arguments, the CLI with them."""

import sys


def run() -> int:
    if getattr(sys, "frozen", False):  # the installed program: its bundled DLLs and fonts (app/frozen.py)
        from app.frozen import prepare

        prepare()
    if len(sys.argv) > 1:
        from app.cli import main

        try:
            return main(sys.argv[1:])
        except BrokenPipeError:
            # the reader stopped reading (``| head``): no traceback, and nothing more to write
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    import gc

    # Start-up builds tens of thousands of long-lived objects (modules, classes, Qt's enums, the
    # window) and no garbage: the cyclic collector would only walk them again and again (≈10 ms).
    # run_gui turns it back on once the window is up.
    gc.disable()
    from app.ui.application import run_gui

    return run_gui(sys.argv)


if __name__ == "__main__":
    sys.exit(run())
