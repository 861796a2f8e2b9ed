"""Local development and test tooling: emulators, local server, local event delivery. Not deployed."""
