"""The Qt GUI. Only this package imports Qt (through ``app.ui.qt``)."""
