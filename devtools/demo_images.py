"""Draw the demo catalog's images: challenge art (512x288) and level badges (256x256).

    python -m devtools.demo_images [CATALOG]   (default: demo/catalog.json)

Every image the catalog references is drawn from the challenge itself (its category picks the
colours, its first trigger kind the motif, its name the caption), so the art stays in step with
the catalog and the output is the same on every run.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from shared.catalog.models import Catalog, Challenge
from shared.catalog.validation import parse_catalog
from shared.enums import TriggerKind

ART_SIZE = (512, 288)
BADGE_SIZE = (256, 256)
DEFAULT_CATALOG = Path(__file__).resolve().parents[1] / "demo" / "catalog.json"

RGB = tuple[int, int, int]
# (dark, light) gradient ends, one pair per category in turn.
PALETTES: list[tuple[RGB, RGB]] = [
    ((74, 44, 30), (196, 138, 86)),  # roast brown to caramel
    ((120, 32, 64), (240, 128, 128)),  # berry to coral
    ((18, 78, 94), (86, 196, 190)),  # teal
    ((52, 40, 110), (176, 150, 236)),  # indigo to lavender
    ((30, 90, 48), (200, 214, 96)),  # leaf to lime
]
# Bronze, silver, gold, then platinum for deeper levels.
MEDALS: list[RGB] = [(176, 112, 64), (168, 176, 188), (222, 176, 52), (150, 210, 220)]

Motif = Callable[[ImageDraw.ImageDraw, int, int, int], None]


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for candidate in (name, f"/usr/share/fonts/truetype/dejavu/{name}"):
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _gradient(size: tuple[int, int], dark: RGB, light: RGB) -> Image.Image:
    square = Image.linear_gradient("L")
    # Average of a vertical and a horizontal ramp: a diagonal sweep from top-left to bottom-right.
    mask = ImageChops.add(
        square.resize(size),
        square.rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT).resize(size),
        scale=2,
    )
    return Image.composite(Image.new("RGB", size, light), Image.new("RGB", size, dark), mask)


def _cup(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    white = (255, 255, 255)
    draw.rounded_rectangle((cx - r, cy - r // 2, cx + r * 3 // 4, cy + r), r // 5, fill=white)
    draw.ellipse(
        (cx + r // 2, cy - r // 4, cx + r * 5 // 4, cy + r // 2), outline=white, width=r // 6
    )
    for dx in (-r // 2, 0, r // 2 - r // 8):
        draw.arc(
            (cx + dx - r // 6, cy - r * 3 // 2, cx + dx + r // 6, cy - r * 3 // 4),
            90,
            270,
            white,
            4,
        )


def _ticket(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, check: bool = False) -> None:
    white = (255, 255, 255)
    draw.rounded_rectangle((cx - r, cy - r * 2 // 3, cx + r, cy + r * 2 // 3), r // 6, fill=white)
    for y in range(cy - r // 2, cy + r // 2, r // 6):
        draw.line((cx + r // 3, y, cx + r // 3, y + r // 12), fill=(160, 160, 160), width=3)
    if check:
        draw.line(
            (cx - r * 2 // 3, cy, cx - r // 3, cy + r // 3, cx + r // 6, cy - r // 3),
            fill=(40, 150, 80),
            width=r // 7,
        )
    else:
        draw.text(
            (cx - r // 8, cy), "%", fill=(200, 60, 60), font=_font(r * 2 // 3, True), anchor="rm"
        )


def _ticket_checked(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    _ticket(draw, cx, cy, r, check=True)


def _gift(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    white, ribbon = (255, 255, 255), (214, 64, 64)
    draw.rectangle((cx - r * 3 // 4, cy - r // 3, cx + r * 3 // 4, cy + r), fill=white)
    draw.rectangle((cx - r * 7 // 8, cy - r * 2 // 3, cx + r * 7 // 8, cy - r // 3), fill=white)
    draw.rectangle((cx - r // 8, cy - r * 2 // 3, cx + r // 8, cy + r), fill=ribbon)
    draw.ellipse((cx - r // 2, cy - r, cx, cy - r * 2 // 3), outline=ribbon, width=6)
    draw.ellipse((cx, cy - r, cx + r // 2, cy - r * 2 // 3), outline=ribbon, width=6)


def _coins(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    gold, edge = (250, 204, 72), (176, 128, 24)
    for i in range(4):
        y = cy + r * 2 // 3 - i * r // 3
        draw.ellipse((cx - r, y - r // 4, cx + r, y + r // 4), fill=gold, outline=edge, width=3)
    draw.text((cx, cy - r * 1 // 3), "P", fill=edge, font=_font(r // 2, True), anchor="mm")


def _crown(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    gold = (250, 204, 72)
    points = [
        (cx - r, cy + r // 2),
        (cx - r, cy - r // 2),
        (cx - r // 2, cy),
        (cx, cy - r * 3 // 4),
        (cx + r // 2, cy),
        (cx + r, cy - r // 2),
        (cx + r, cy + r // 2),
    ]
    draw.polygon(points, fill=gold)
    draw.rectangle((cx - r, cy + r // 2, cx + r, cy + r * 3 // 4), fill=gold)
    for x, y in points[1:6:2]:
        draw.ellipse((x - r // 8, y - r // 8, x + r // 8, y + r // 8), fill=(230, 80, 80))


def _star(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    import math

    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 2 // 5
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    draw.polygon(points, fill=(255, 255, 255))


MOTIFS: dict[TriggerKind, Motif] = {
    TriggerKind.EARNED_POINTS: _cup,
    TriggerKind.SUBSCRIBE_VOUCHERS_COUNT: _ticket,
    TriggerKind.REDEEMED_POINTS: _gift,
    TriggerKind.REDEEMED_VOUCHERS_COUNT: _ticket_checked,
    TriggerKind.TOTAL_POINTS_BALANCE: _coins,
    TriggerKind.HIT_TIER: _crown,
}


def _motif(challenge: Challenge) -> Motif:
    first = challenge.levels[0].ordered_groups[0].ordered_triggers[0]
    return MOTIFS.get(first.triggerId, _star)


def _palette(catalog: Catalog, challenge: Challenge) -> tuple[RGB, RGB]:
    ids = sorted(c.id for c in catalog.categories)
    index = ids.index(challenge.categoryId) if challenge.categoryId in ids else challenge.id
    return PALETTES[index % len(PALETTES)]


def _finish(image: Image.Image) -> Image.Image:
    # A small palette keeps the PNGs a few kilobytes each.
    return image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)


def draw_challenge_art(catalog: Catalog, challenge: Challenge) -> Image.Image:
    """A 512x288 banner: gradient, soft circles, the motif and the challenge's names."""
    dark, light = _palette(catalog, challenge)
    image = _gradient(ART_SIZE, dark, light).convert("RGBA")
    overlay = Image.new("RGBA", ART_SIZE, (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    for i, (x, y, r) in enumerate([(430, 40, 120), (470, 250, 80), (60, 270, 60), (300, -30, 70)]):
        shapes.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 28 + 10 * (i % 2)))
    shapes.ellipse((330, 54, 490, 214), fill=(255, 255, 255, 46))
    image = Image.alpha_composite(image, overlay)
    draw = ImageDraw.Draw(image)
    _motif(challenge)(draw, 410, 134, 52)
    language = catalog.defaultLanguage
    title = challenge.name.get(language) or next(iter(challenge.name.values()))
    draw.text((28, 190), title, fill=(255, 255, 255), font=_font(32, bold=True), anchor="ls")
    other = next((t for lang, t in challenge.name.items() if lang != language), None)
    if other:
        # Without complex-script support (no raqm) the secondary caption is left out.
        with contextlib.suppress(OSError, KeyError):
            draw.text((28, 236), other, fill=(255, 255, 255), font=_font(24), anchor="ls")
    draw.rounded_rectangle((28, 40, 150, 72), 16, fill=(255, 255, 255))
    category = next((c for c in catalog.categories if c.id == challenge.categoryId), None)
    label = category.name.get(language, "") if category else ""
    draw.text(
        (89, 56), label.split(" ")[0].upper()[:10], fill=dark, font=_font(14, True), anchor="mm"
    )
    return _finish(image)


def draw_badge(challenge: Challenge, level_index: int, locked: bool) -> Image.Image:
    """A 256x256 medal for a level, coloured by its rank; grey with a padlock when locked."""
    colour = MEDALS[min(level_index, len(MEDALS) - 1)]
    image = Image.new("RGBA", BADGE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(88, 150), (60, 250), (104, 226), (128, 252), (128, 160)], fill=(200, 60, 60))
    draw.polygon([(168, 150), (196, 250), (152, 226), (128, 252), (128, 160)], fill=(160, 40, 40))
    shade = tuple(max(0, c - 60) for c in colour)
    draw.ellipse((28, 12, 228, 212), fill=shade)
    draw.ellipse((40, 24, 216, 200), fill=colour)
    _motif(challenge)(draw, 128, 104, 44)
    draw.text((128, 186), f"{level_index + 1}", fill=shade, font=_font(22, True), anchor="mm")
    if locked:
        image = Image.merge("RGBA", (*[image.convert("L")] * 3, image.getchannel("A")))
        lock = ImageDraw.Draw(image)
        lock.arc((100, 70, 156, 130), 180, 360, fill=(60, 60, 60), width=10)
        lock.rounded_rectangle((90, 100, 166, 160), 10, fill=(60, 60, 60))
        lock.ellipse((120, 118, 136, 134), fill=(200, 200, 200))
    return image.quantize(colors=64, method=Image.Quantize.FASTOCTREE)


def generate(catalog_path: str | Path = DEFAULT_CATALOG) -> list[Path]:
    """Draw every image `catalog_path` references, next to it; return the files written."""
    catalog_path = Path(catalog_path)
    catalog = parse_catalog(json.loads(catalog_path.read_text(encoding="utf-8")))
    base = catalog_path.resolve().parent
    written: list[Path] = []
    for challenge in catalog.challenges:
        drawings: list[tuple[str | None, Callable[[], Image.Image]]] = [
            (challenge.image, partial(draw_challenge_art, catalog, challenge))
        ]
        for index, level in enumerate(challenge.levels):
            drawings.append((level.badgeImage, partial(draw_badge, challenge, index, False)))
            drawings.append((level.lockedBadgeImage, partial(draw_badge, challenge, index, True)))
        for relative, draw in drawings:
            if not relative:
                continue
            target = base / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            draw().save(target, format="PNG", optimize=True)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Draw the images of the catalog named on the command line (the demo catalog by default)."""
    args = sys.argv[1:] if argv is None else argv
    files = generate(args[0] if args else DEFAULT_CATALOG)
    print(f"wrote {len(files)} images ({sum(f.stat().st_size for f in files) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
