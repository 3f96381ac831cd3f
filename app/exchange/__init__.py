"""上报包 (upload packages): export a round, verify and import packages, aggregate many hospitals.

No Qt here: the GUI and the CLI both call these functions. The package format is described in
``docs/exchange.md`` and its JSON Schemas in ``docs/schema/``.

- :mod:`.export` writes a package of a round (``export_package``);
- :mod:`.verify` checks a package before anything is written (``open_package``);
- :mod:`.merge` plans and applies an import (``plan_import``, ``apply_import``);
- :mod:`.aggregate` summarises many hospitals' packages (``aggregate``).
"""
