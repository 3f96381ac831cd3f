"""医疗质量自查助手 — offline self-inspection tool for county hospitals."""

__version__ = "0.1.0"
APP_NAME = "医疗质量自查助手"
