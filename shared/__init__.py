"""Common package of the challenges service: catalog, progress math, auth, storage, HTTP glue."""
