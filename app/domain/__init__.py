"""The domain: plain dataclasses and pure functions. No I/O, no Qt."""
