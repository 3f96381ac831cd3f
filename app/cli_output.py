"""What the command line prints for other programs to read."""

from __future__ import annotations

import json
import sys


def print_json(data: object) -> None:
    """JSON in Chinese where the output takes any character; ``\\uXXXX`` escapes where it does not
    (a Windows console or file in code page 936): the data stays whole in any encoding."""
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").replace("-", "").lower()
    print(json.dumps(data, ensure_ascii=encoding not in ("utf8", "utf8sig"), indent=2))
