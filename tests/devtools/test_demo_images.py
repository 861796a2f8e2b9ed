"""Demo images: every referenced image is drawn, at the documented sizes, the same each run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PIL import Image, ImageChops

from devtools.demo_images import ART_SIZE, BADGE_SIZE, DEFAULT_CATALOG, generate


def _small_catalog(folder: Path) -> Path:
    data = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    # The multi-level badge challenge and a plain one are enough to draw every kind of image.
    data["challenges"] = [c for c in data["challenges"] if c["id"] in (3, 4)]
    path = folder / "catalog.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_every_referenced_image_is_drawn_at_its_size(tmp_path: Path):
    written = generate(_small_catalog(tmp_path))
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == [
        "images/badges/coffee-connoisseur-1-locked.png",
        "images/badges/coffee-connoisseur-1.png",
        "images/badges/coffee-connoisseur-2-locked.png",
        "images/badges/coffee-connoisseur-2.png",
        "images/badges/coffee-connoisseur-3-locked.png",
        "images/badges/coffee-connoisseur-3.png",
        "images/coffee-connoisseur.png",
        "images/voucher-explorer.png",
    ]
    for path in written:
        with Image.open(path) as image:
            expected = BADGE_SIZE if "badges" in path.parts else ART_SIZE
            assert (image.format, image.size) == ("PNG", expected)


def test_a_locked_badge_is_grey(tmp_path: Path):
    generate(_small_catalog(tmp_path))

    def colour_spread(name: str) -> tuple[int, int, int, int] | None:
        with Image.open(tmp_path / "images/badges" / name) as image:
            red, green, blue = image.convert("RGBA").convert("RGB").split()
        return (
            ImageChops.difference(red, green).getbbox()
            or ImageChops.difference(green, blue).getbbox()
        )

    assert colour_spread("coffee-connoisseur-1-locked.png") is None
    assert colour_spread("coffee-connoisseur-1.png") is not None


def test_the_committed_images_are_what_the_script_draws(tmp_path: Path):
    shutil.copy(DEFAULT_CATALOG, tmp_path / "catalog.json")
    for path in generate(tmp_path / "catalog.json"):
        committed = DEFAULT_CATALOG.parent / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), committed
