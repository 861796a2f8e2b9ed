"""The V1/V2 read API: request and response models, views, listing, OpenAPI."""
