"""Use cases shared by the GUI and the CLI (业务服务). They call the store and the domain."""
