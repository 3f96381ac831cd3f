"""医疗质量自查助手 — entry point: the GUI without arguments, the CLI with them."""

import sys


def run() -> int:
    if len(sys.argv) > 1:
        from app.cli import main

        return main(sys.argv[1:])
    from app.ui.application import run_gui

    return run_gui(sys.argv)


if __name__ == "__main__":
    sys.exit(run())
