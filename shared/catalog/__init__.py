"""The challenge catalog: models, validation and loading."""
