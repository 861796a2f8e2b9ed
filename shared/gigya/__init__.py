"""The Gigya-compatible surface: signatures, credentials, auth, parameters, envelope, handler."""
