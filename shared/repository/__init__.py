"""Firestore I/O. Every function takes its client as the first argument."""
