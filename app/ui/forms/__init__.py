"""Generated Qt Designer forms."""
