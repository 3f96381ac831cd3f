"""Every CLI command is documented in the README, and the README starts with the two commands."""

from __future__ import annotations

import argparse

from app.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                has_children = any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
                if has_children:
                    yield from commands(sub, f"{prefix}{name} ")
                else:
                    yield f"{prefix}{name}"


def test_every_command_is_in_the_readme():
    names = list(commands(build_parser()))
    assert "checklists validate" in names and "score" in names
    missing = [n for n in names if f"python main.py {n}" not in README]
    assert missing == []


def test_every_command_has_an_example_in_its_help():
    parser = build_parser()
    for name in commands(parser):
        sub = parser
        for part in name.split():
            sub = next(a for a in sub._actions if isinstance(a, argparse._SubParsersAction)).choices[part]
        assert "示例：python main.py" in sub.description, name


def test_readme_starts_with_the_two_setup_commands():
    head = README.split("---")[0]
    assert "./run.sh" in head and "./test.sh" in head
    assert "./test.sh" in (ROOT / ".ci" / "run").read_text() or "test.sh" in (ROOT / ".ci" / "run").read_text()
