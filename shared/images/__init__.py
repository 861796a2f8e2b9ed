"""Challenge and badge images: V4 signed URLs for objects of the images bucket."""
