"""Authentication of the three surfaces: V1 partner messages, V2 Firebase ID tokens, Gigya."""
