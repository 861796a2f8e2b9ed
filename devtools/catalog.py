"""Validate a catalog file, load it into Firestore and upload its images to the bucket.

    python -m devtools.catalog validate FILE
    python -m devtools.catalog load FILE [--bucket BUCKET]

Loading is idempotent: documents are rewritten with the same content, voucher codes that exist
are left alone (a taken code stays taken), and images whose bytes are already in the bucket
are not uploaded again.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import mimetypes
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shared.catalog.models import Catalog
from shared.catalog.validation import CatalogInvalid, validate_catalog
from shared.errors import ConfigError
from shared.repository.catalog_repo import save_catalog

if TYPE_CHECKING:
    from google.cloud import firestore
    from google.cloud.storage import Bucket
    from google.cloud.storage import Client as StorageClient

__all__ = ["CatalogInvalid", "LoadSummary", "load_catalog_file", "load_into", "main"]


@dataclass(frozen=True)
class LoadSummary:
    """What one load wrote."""

    categories: int
    challenges: int
    voucher_codes_added: int
    images_uploaded: list[str] = field(default_factory=list)
    images_unchanged: list[str] = field(default_factory=list)
    bucket_created: bool = False

    def describe(self) -> str:
        """One human-readable line."""
        return (
            f"loaded {self.challenges} challenges, {self.categories} categories, "
            f"{self.voucher_codes_added} new voucher codes; images: "
            f"{len(self.images_uploaded)} uploaded, {len(self.images_unchanged)} unchanged"
            + ("; bucket created" if self.bucket_created else "")
        )


def load_catalog_file(path: str | Path) -> Catalog:
    """Read and validate a catalog file; raise CatalogInvalid with one `path: rule` per error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogInvalid([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogInvalid(
            [f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]
        ) from None
    base_dir = path.resolve().parent
    return validate_catalog(data, image_exists=lambda image: (base_dir / image).is_file())


def _md5_base64(data: bytes) -> str:
    # The form Cloud Storage reports in an object's md5Hash.
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def image_files(catalog: Catalog) -> dict[str, str]:
    """Every image the catalog references: bucket object name -> path relative to the file."""
    files: dict[str, str] = {}
    for challenge in catalog.challenges:
        for image, object_name in challenge.image_files():
            files[object_name] = image
    for image, object_name in catalog.defaultChallenge.image_files():
        files[object_name] = image
    return files


def _bucket(client: StorageClient, name: str) -> tuple[Bucket, bool]:
    from google.api_core.exceptions import NotFound

    try:
        return client.get_bucket(name), False
    except NotFound:
        # Only a local emulator gets here in practice: deployed buckets come from infra.
        return client.create_bucket(name), True


def upload_images(
    storage_client: StorageClient, bucket_name: str, catalog: Catalog, base_dir: str | Path
) -> tuple[list[str], list[str], bool]:
    """Upload the catalog's images, skipping objects whose content is identical (md5).

    Returns (uploaded object names, unchanged object names, whether the bucket was created).
    """
    base = Path(base_dir)
    bucket, created = _bucket(storage_client, bucket_name)
    uploaded: list[str] = []
    unchanged: list[str] = []
    for object_name, image in sorted(image_files(catalog).items()):
        data = (base / image).read_bytes()
        existing = bucket.get_blob(object_name)
        if existing is not None and existing.md5_hash == _md5_base64(data):
            unchanged.append(object_name)
            continue
        content_type = mimetypes.guess_type(image)[0] or "application/octet-stream"
        bucket.blob(object_name).upload_from_string(data, content_type=content_type)
        uploaded.append(object_name)
    return uploaded, unchanged, created


def load_into(
    db: firestore.Client,
    storage_client: StorageClient,
    bucket_name: str,
    catalog: Catalog,
    base_dir: str | Path,
) -> LoadSummary:
    """Write a validated catalog to Firestore and its images (under `base_dir`) to the bucket."""
    written = save_catalog(db, catalog)
    uploaded, unchanged, created = upload_images(storage_client, bucket_name, catalog, base_dir)
    return LoadSummary(
        categories=written.categories,
        challenges=written.challenges,
        voucher_codes_added=written.voucher_codes,
        images_uploaded=uploaded,
        images_unchanged=unchanged,
        bucket_created=created,
    )


def _validate(path: str) -> int:
    try:
        catalog = load_catalog_file(path)
    except CatalogInvalid as exc:
        for line in exc.errors:
            print(line)
        return 1
    print(f"ok: {len(catalog.challenges)} challenges, {len(catalog.categories)} categories")
    return 0


def _load(path: str, bucket: str | None, as_json: bool) -> int:
    try:
        catalog = load_catalog_file(path)
    except CatalogInvalid as exc:
        for line in exc.errors:
            print(line)
        return 1
    if bucket:
        # The bucket given on the command line stands in for the IMAGES_BUCKET setting.
        os.environ.setdefault("IMAGES_BUCKET", bucket)
    from shared import clients
    from shared.config import get_settings

    try:
        settings = get_settings()
    except ConfigError as exc:
        print(f"config: {exc}", file=sys.stderr)
        return 2
    summary = load_into(
        clients.firestore_client(),
        clients.storage_client(),
        bucket or settings.images_bucket,
        catalog,
        Path(path).resolve().parent,
    )
    print(json.dumps(asdict(summary), indent=2) if as_json else summary.describe())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m devtools.catalog", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a catalog file and report every error")
    validate.add_argument("file")
    load = commands.add_parser("load", help="validate, write to Firestore, upload images")
    load.add_argument("file")
    load.add_argument("--bucket", help="images bucket (default: the IMAGES_BUCKET setting)")
    load.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.file)
    return _load(args.file, args.bucket, args.json)


if __name__ == "__main__":
    sys.exit(main())
