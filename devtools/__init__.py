"""Local development and test tooling: emulators, server, event delivery, CLIs. Not deployed."""
