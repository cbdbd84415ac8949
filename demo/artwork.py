"""Product pictures for the demo province, drawn with Pillow: still lifes of oranges, tea and honey.

Pure drawing code (no database). `manage.py demo_media` renders them once into fixtures/demo/photos/;
the demo loads those files like a producer's phone photos. Each picture is drawn at twice its size
and scaled down, which smooths every edge; shading comes from Pillow's radial gradients, softness
from Gaussian blur and texture from its noise generator, all seeded so a redraw gives the same file.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

WIDTH, HEIGHT = 1200, 900
SCALE = 2  # drawn at twice the size, then scaled down (anti-aliasing)
FONT_DIR = "/usr/share/fonts/truetype/dejavu/"

Colour = tuple[int, int, int]


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_DIR + name, size * SCALE)


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def vertical_gradient(size: tuple[int, int], stops: list[tuple[float, Colour]]) -> Image.Image:
    """An RGB image whose colour runs top to bottom through `stops` [(position 0–1, colour)]."""
    _width, height = size
    column = Image.new("RGB", (1, height))
    pixels = column.load()
    for y in range(height):
        t = y / max(height - 1, 1)
        for (p0, c0), (p1, c1) in itertools.pairwise(stops):
            if p0 <= t <= p1:
                pixels[0, y] = _mix(c0, c1, (t - p0) / max(p1 - p0, 1e-9))
                break
        else:
            pixels[0, y] = stops[-1][1] if t > stops[-1][0] else stops[0][1]
    return column.resize(size)


def _soft_shadow(canvas: Image.Image, box: tuple[int, int, int, int], opacity: int, blur: int) -> None:
    layer = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=opacity)
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    canvas.paste((25, 18, 10), (0, 0), layer)


def _noise(size: tuple[int, int], spread: int, blur: float, seed: int) -> Image.Image:
    """Seeded grey noise around mid-grey (±`spread`), optionally blurred: the same seed draws the same grain."""
    raw = Image.frombytes("L", size, random.Random(seed).randbytes(size[0] * size[1]))
    grain = raw.point(lambda v: 128 + (v - 128) * spread // 128)
    return grain.filter(ImageFilter.GaussianBlur(blur)) if blur else grain


def shaded_sphere(
    diameter: int, dark: Colour, mid: Colour, light: Colour, *, light_from: tuple[float, float] = (-0.35, -0.4)
) -> Image.Image:
    """An RGBA ball lit from the upper left: a radial gradient pushed off centre, colourised."""
    big = Image.radial_gradient("L").resize((diameter * 2, diameter * 2))
    dx, dy = light_from
    left = round(diameter / 2 - dx * diameter * 0.9)
    top = round(diameter / 2 - dy * diameter * 0.9)
    shade = big.crop((left, top, left + diameter, top + diameter))
    shade = ImageOps.autocontrast(shade)
    ball = ImageOps.colorize(shade, black=light, white=dark, mid=mid)
    mask = Image.new("L", (diameter, diameter), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, diameter - 1, diameter - 1), fill=255)
    ball.putalpha(mask.filter(ImageFilter.GaussianBlur(max(diameter // 300, 1))))
    return ball


def _peel(ball: Image.Image, seed: int, strength: float = 0.22) -> Image.Image:
    """The dimpled skin of a cam sành: fine noise, lightly embossed, blended over the ball."""
    size = ball.size
    grain = _noise(size, 60, 1.2 * SCALE, seed).filter(ImageFilter.EMBOSS).convert("RGB")
    skin = ImageChops.overlay(ball.convert("RGB"), grain)
    out = Image.blend(ball.convert("RGB"), skin, strength)
    out.putalpha(ball.getchannel("A"))
    return out


def _highlight(diameter: int, at: tuple[float, float], radius: float, opacity: int) -> Image.Image:
    layer = Image.new("L", (diameter, diameter), 0)
    cx, cy = at[0] * diameter, at[1] * diameter
    r = radius * diameter
    ImageDraw.Draw(layer).ellipse((cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), fill=opacity)
    return layer.filter(ImageFilter.GaussianBlur(r * 0.6))


def orange(diameter: int, seed: int, *, greenish: float = 0.35) -> Image.Image:
    """A cam sành orange: rough skin, orange turning green towards the stem, a soft sheen."""
    deep = _mix((176, 72, 8), (74, 96, 20), greenish * 0.6)
    mid = _mix((236, 128, 20), (150, 150, 30), greenish * 0.5)
    light = (255, 206, 110)
    ball = _peel(shaded_sphere(diameter, deep, mid, light), seed)
    # a green flush near the top, as on fruit ripened on the tree in the cold months
    flush = Image.new("L", ball.size, 0)
    ImageDraw.Draw(flush).ellipse(
        (diameter * 0.15, -diameter * 0.35, diameter * 0.85, diameter * 0.35), fill=round(150 * greenish)
    )
    flush = ImageChops.multiply(flush.filter(ImageFilter.GaussianBlur(diameter * 0.12)), ball.getchannel("A"))
    ball.paste((96, 120, 30), (0, 0), flush)
    ball.paste((255, 250, 235), (0, 0), _highlight(diameter, (0.33, 0.3), 0.1, 120))
    stem_r = diameter * 0.025
    ImageDraw.Draw(ball).ellipse(
        (diameter / 2 - stem_r, diameter * 0.07 - stem_r, diameter / 2 + stem_r, diameter * 0.07 + stem_r),
        fill=(70, 80, 30),
    )
    return ball


def leaf(length: int, width_ratio: float, colour: Colour, angle: float, *, vein: Colour | None = None) -> Image.Image:
    """An RGBA leaf (two arcs meeting at the tips) with a central vein, rotated by `angle` degrees."""
    half = length * width_ratio / 2
    points_top, points_bottom = [], []
    for i in range(41):
        t = i / 40
        x = t * length
        y = math.sin(math.pi * t) ** 0.8 * half
        points_top.append((x, length / 2 - y))
        points_bottom.append((x, length / 2 + y))
    image = Image.new("RGBA", (length, length), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(points_top + points_bottom[::-1], fill=(*colour, 255))
    shade = vertical_gradient((length, length), [(0, (255, 255, 255)), (1, (0, 0, 0))]).convert("L")
    tint = Image.new("RGBA", image.size, (*_mix(colour, (0, 0, 0), 0.35), 255))
    image = Image.composite(tint, image, ImageChops.multiply(shade, image.getchannel("A")).point(lambda v: v // 3))
    draw = ImageDraw.Draw(image)
    vein = vein or _mix(colour, (230, 240, 200), 0.45)
    draw.line([(length * 0.02, length / 2), (length * 0.96, length / 2)], fill=(*vein, 230), width=max(2, length // 90))
    for i in range(1, 7):
        x = length * i / 7.5
        draw.line([(x, length / 2), (x + length * 0.08, length / 2 - half * 0.6)], fill=(*vein, 150), width=2)
        draw.line([(x, length / 2), (x + length * 0.08, length / 2 + half * 0.6)], fill=(*vein, 150), width=2)
    return image.rotate(angle, resample=Image.BICUBIC, expand=True)


def _paste(canvas: Image.Image, item: Image.Image, centre: tuple[float, float]) -> None:
    canvas.alpha_composite(item, (round(centre[0] - item.width / 2), round(centre[1] - item.height / 2)))


def _table(size: tuple[int, int], horizon: int, top: Colour, bottom: Colour, seed: int) -> Image.Image:
    """A wooden table top below `horizon`: a gradient with long, blurred grain."""
    width, height = size
    wood = vertical_gradient((width, height - horizon), [(0, top), (1, bottom)])
    random.seed(seed)
    grain = Image.new("L", (width // 8, height - horizon), 128)
    draw = ImageDraw.Draw(grain)
    for _ in range(140):
        y = random.uniform(0, height - horizon)
        draw.line([(0, y), (width // 8, y + random.uniform(-6, 6))], fill=random.randint(90, 170), width=1)
    grain = grain.resize((width, height - horizon)).filter(ImageFilter.GaussianBlur(2 * SCALE))
    wood = Image.blend(wood, ImageChops.overlay(wood, grain.convert("RGB")), 0.5)
    return wood


def _vignette(image: Image.Image, strength: float = 0.35) -> Image.Image:
    mask = Image.radial_gradient("L").resize(image.size)
    dark = Image.new("RGB", image.size, (20, 14, 8))
    return Image.composite(dark, image, mask.point(lambda v: round(v * strength)))


def _finish(canvas: Image.Image) -> Image.Image:
    return _vignette(canvas.convert("RGB")).resize((WIDTH, HEIGHT), Image.LANCZOS)


def _stage(background: list[tuple[float, Colour]], table: tuple[Colour, Colour], horizon_ratio: float, seed: int):
    size = (WIDTH * SCALE, HEIGHT * SCALE)
    canvas = vertical_gradient(size, background).convert("RGBA")
    horizon = round(size[1] * horizon_ratio)
    canvas.paste(_table(size, horizon, *table, seed), (0, horizon))
    # the table's far edge catches the light
    edge = Image.new("L", size, 0)
    ImageDraw.Draw(edge).rectangle((0, horizon - 3 * SCALE, size[0], horizon + 3 * SCALE), fill=90)
    canvas.paste((255, 240, 215), (0, 0), edge.filter(ImageFilter.GaussianBlur(3 * SCALE)))
    return canvas, size, horizon


def _hills(size: tuple[int, int], base: int, colour: Colour, seed: int, *, rough: float = 1.0) -> Image.Image:
    """A layer of blurred mountain ridges (RGBA) whose tops lie around `base`."""
    random.seed(seed)
    width, height = size
    points = [(0, height)]
    y = base
    for x in range(0, width + 40, 40):
        y += random.uniform(-38, 38) * rough
        y = min(max(y, base - 160 * rough), base + 90)
        points.append((x, y))
    points.append((width, height))
    layer = Image.new("RGBA", size, (*colour, 0))
    ImageDraw.Draw(layer).polygon(points, fill=(*colour, 255))
    return layer.filter(ImageFilter.GaussianBlur(3 * SCALE))


# -- the pictures -------------------------------------------------------------------------------


def oranges_still_life() -> Image.Image:
    """Cam sành on a wooden table: three whole fruit, one halved, leaves, a warm window light."""
    canvas, (w, h), _horizon = _stage(
        [(0, (246, 226, 190)), (0.55, (222, 186, 140)), (1, (196, 150, 100))],
        ((150, 96, 54), (92, 54, 28)),
        0.56,
        seed=3,
    )
    fruit = [(0.33, 0.62, 0.30, 11, 0.45), (0.58, 0.66, 0.33, 12, 0.3), (0.78, 0.58, 0.24, 13, 0.55)]
    for x, y, d, _seed, _green in fruit:
        diameter = round(d * h)
        _soft_shadow(
            canvas,
            (
                x * w - diameter * 0.5,
                y * h + diameter * 0.32,
                x * w + diameter * 0.62,
                y * h + diameter * 0.55,
            ),
            170,
            22 * SCALE,
        )
    for angle, centre in ((-25, (0.46, 0.47)), (40, (0.67, 0.44)), (-70, (0.24, 0.52))):
        item = leaf(round(0.26 * h), 0.36, (58, 110, 40), angle)
        _paste(canvas, item, (centre[0] * w, centre[1] * h))
    for x, y, d, seed, green in fruit:
        _paste(canvas, orange(round(d * h), seed, greenish=green), (x * w, y * h))
    _paste(canvas, halved_orange(round(0.25 * h)), (0.16 * w, 0.8 * h))
    return _finish(canvas)


def halved_orange(diameter: int) -> Image.Image:
    """A halved orange seen from above at a slant: rind, pith, juicy segments."""
    height = round(diameter * 0.62)
    image = Image.new("RGBA", (diameter, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, diameter - 1, height - 1), fill=(196, 96, 14, 255))
    rind = diameter * 0.05
    draw.ellipse((rind, rind * 0.62, diameter - rind, height - rind * 0.62), fill=(250, 232, 190, 255))
    inner = diameter * 0.09
    draw.ellipse((inner, inner * 0.62, diameter - inner, height - inner * 0.62), fill=(246, 150, 36, 255))
    cx, cy = diameter / 2, height / 2
    rx, ry = diameter / 2 - inner, height / 2 - inner * 0.62
    for i in range(11):
        a = 2 * math.pi * i / 11
        draw.line(
            [(cx, cy), (cx + rx * math.cos(a), cy + ry * math.sin(a))], fill=(252, 226, 170, 255), width=SCALE * 2
        )
    draw.ellipse((cx - rx * 0.12, cy - ry * 0.12, cx + rx * 0.12, cy + ry * 0.12), fill=(252, 230, 180, 255))
    sheen = _noise(image.size, 40, 1.5, 7).convert("RGB")
    out = Image.blend(image.convert("RGB"), ImageChops.overlay(image.convert("RGB"), sheen), 0.25)
    out.putalpha(image.getchannel("A"))
    return out


def _box(width: int, height: int, depth: int, face: Colour, side: Colour, top: Colour) -> Image.Image:
    """A cardboard box in a simple two-point view: front face, right side, lid."""
    image = Image.new("RGBA", (width + depth, height + depth), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, depth), (width, depth), (width, depth + height), (0, depth + height)], fill=(*face, 255))
    draw.polygon(
        [(width, depth), (width + depth, 0), (width + depth, height), (width, depth + height)], fill=(*side, 255)
    )
    draw.polygon([(0, depth), (depth, 0), (width + depth, 0), (width, depth)], fill=(*top, 255))
    grain = _noise(image.size, 24, 0.8, 21).convert("RGB")
    out = Image.blend(image.convert("RGB"), ImageChops.overlay(image.convert("RGB"), grain), 0.35)
    out.putalpha(image.getchannel("A"))
    return out


def _label(draw: ImageDraw.ImageDraw, box, lines: list[tuple[str, str, int, Colour]], fill: Colour, outline: Colour):
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=14 * SCALE, fill=fill, outline=outline, width=3 * SCALE)
    total = sum(size * SCALE * 1.25 for _text, _font_name, size, _colour in lines)
    y = (y0 + y1) / 2 - total / 2
    for text, font_name, size, colour in lines:
        font = _font(font_name, size)
        draw.text(((x0 + x1) / 2, y), text, font=font, fill=colour, anchor="ma")
        y += size * SCALE * 1.25


def orange_box() -> Image.Image:
    """A kraft gift box of cam sành, lid open, fruit showing, with the cooperative's label."""
    canvas, (w, h), _horizon = _stage(
        [(0, (232, 236, 224)), (1, (196, 206, 186))], ((170, 124, 80), (110, 72, 40)), 0.64, seed=5
    )
    bw, bh, depth = round(0.5 * w), round(0.3 * h), round(0.1 * w)
    _soft_shadow(canvas, (0.2 * w, 0.82 * h, 0.9 * w, 0.95 * h), 180, 30 * SCALE)
    box = _box(bw, bh, depth, (196, 150, 96), (160, 116, 70), (214, 174, 122))
    left, top = round(0.22 * w), round(0.5 * h)
    # fruit peeking over the front edge, drawn before the box face so the face hides their bottoms
    for i, (dx, seed) in enumerate(((0.12, 31), (0.3, 32), (0.48, 33), (0.66, 34), (0.84, 35))):
        diameter = round(0.2 * h)
        _paste(
            canvas,
            orange(diameter, seed, greenish=0.25 + 0.1 * (i % 3)),
            (left + dx * bw + depth * 0.5, top + depth * 0.4),
        )
    front = box.crop((0, depth, bw + depth, bh + depth))
    canvas.alpha_composite(front, (left, top + depth))
    draw = ImageDraw.Draw(canvas)
    _label(
        draw,
        (left + bw * 0.12, top + depth + bh * 0.18, left + bw * 0.88, top + depth + bh * 0.82),
        [
            ("CAM SÀNH", "DejaVuSerif-Bold.ttf", 44, (120, 50, 10)),
            ("Bắc Quang · Hà Giang", "DejaVuSans.ttf", 24, (70, 60, 40)),
            ("hộp 2 kg", "DejaVuSans-Bold.ttf", 22, (70, 60, 40)),
        ],
        (250, 242, 222),
        (150, 96, 40),
    )
    for angle, centre in ((-30, (0.83, 0.55)), (15, (0.9, 0.62))):
        _paste(canvas, leaf(round(0.2 * h), 0.36, (54, 104, 38), angle), (centre[0] * w, centre[1] * h))
    return _finish(canvas)


def oranges_in_basket() -> Image.Image:
    """A woven bamboo basket heaped with cam sành, as sold at the Việt Quang market."""
    canvas, (w, h), horizon = _stage(
        [(0, (206, 222, 196)), (0.5, (170, 196, 160)), (1, (132, 160, 120))],
        ((136, 104, 70), (84, 60, 38)),
        0.6,
        seed=8,
    )
    canvas.alpha_composite(_hills((w, h), round(0.42 * h), (112, 146, 104), 4, rough=0.8))
    canvas.paste(_table((w, h), horizon, (136, 104, 70), (84, 60, 38), 8), (0, horizon))
    _soft_shadow(canvas, (0.18 * w, 0.8 * h, 0.84 * w, 0.96 * h), 190, 28 * SCALE)
    random.seed(17)
    for row, (y, count) in enumerate(((0.5, 4), (0.56, 5))):
        for i in range(count):
            x = 0.27 + i * (0.46 / (count - 1)) + random.uniform(-0.02, 0.02)
            _paste(
                canvas,
                orange(round(0.21 * h), 40 + row * 10 + i, greenish=random.uniform(0.2, 0.6)),
                (x * w, y * h),
            )
    basket = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(basket)
    draw.polygon(
        [(0.2 * w, 0.58 * h), (0.8 * w, 0.58 * h), (0.72 * w, 0.9 * h), (0.28 * w, 0.9 * h)], fill=(166, 124, 62)
    )
    for i in range(9):
        y = 0.6 + i * 0.034
        draw.line(
            [(0.2 * w + i * 0.009 * w, y * h), (0.8 * w - i * 0.009 * w, y * h)], fill=(120, 84, 38), width=5 * SCALE
        )
    for i in range(16):
        x = 0.22 + i * 0.037
        draw.line([(x * w, 0.58 * h), ((0.5 + (x - 0.5) * 0.8) * w, 0.9 * h)], fill=(196, 156, 92), width=3 * SCALE)
    draw.rounded_rectangle((0.18 * w, 0.565 * h, 0.82 * w, 0.6 * h), radius=8 * SCALE, fill=(140, 100, 48))
    canvas.alpha_composite(basket)
    return _finish(canvas)


def tea_cup() -> Image.Image:
    """A cup of Shan tuyết tea, pale gold, on a saucer, with downy leaves and a clay pot behind."""
    canvas, (w, h), horizon = _stage(
        [(0, (222, 230, 214)), (0.5, (190, 206, 184)), (1, (150, 172, 146))],
        ((118, 84, 56), (70, 46, 28)),
        0.58,
        seed=9,
    )
    for base, colour, seed in ((0.34, (160, 182, 162), 1), (0.42, (126, 156, 128), 2), (0.5, (92, 128, 96), 3)):
        canvas.alpha_composite(_hills((w, h), round(base * h), colour, seed))
    canvas.paste(_table((w, h), horizon, (118, 84, 56), (70, 46, 28), 9), (0, horizon))
    # teapot (unglazed clay) behind the cup
    _soft_shadow(canvas, (0.6 * w, 0.66 * h, 0.92 * w, 0.74 * h), 150, 24 * SCALE)
    draw = ImageDraw.Draw(canvas)
    # spout (a tapering tube) and handle first: the body covers their roots
    draw.polygon(
        [(0.66 * w, 0.5 * h), (0.57 * w, 0.43 * h), (0.56 * w, 0.45 * h), (0.66 * w, 0.6 * h)], fill=(112, 56, 34)
    )
    draw.ellipse((0.555 * w, 0.425 * h, 0.58 * w, 0.45 * h), fill=(84, 40, 26))
    draw.arc((0.82 * w, 0.44 * h, 0.93 * w, 0.64 * h), -80, 80, fill=(104, 52, 32), width=14 * SCALE)
    pot = shaded_sphere(round(0.36 * h), (70, 34, 22), (136, 70, 44), (196, 128, 96))
    _paste(canvas, pot, (0.75 * w, 0.56 * h))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((0.7 * w, 0.385 * h, 0.8 * w, 0.415 * h), fill=(96, 46, 30))
    draw.ellipse((0.735 * w, 0.36 * h, 0.765 * w, 0.395 * h), fill=(120, 60, 38))
    # saucer and cup
    _soft_shadow(canvas, (0.18 * w, 0.76 * h, 0.62 * w, 0.88 * h), 190, 20 * SCALE)
    draw.ellipse((0.18 * w, 0.72 * h, 0.6 * w, 0.86 * h), fill=(236, 238, 232))
    draw.ellipse((0.21 * w, 0.735 * h, 0.57 * w, 0.845 * h), fill=(218, 222, 214))
    cup = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    cup_draw = ImageDraw.Draw(cup)
    cup_draw.polygon(
        [(0.25 * w, 0.56 * h), (0.53 * w, 0.56 * h), (0.5 * w, 0.78 * h), (0.28 * w, 0.78 * h)], fill=(244, 245, 240)
    )
    cup_draw.ellipse((0.28 * w, 0.75 * h, 0.5 * w, 0.81 * h), fill=(244, 245, 240))
    shade = vertical_gradient((w, h), [(0, (255, 255, 255)), (1, (120, 120, 120))]).convert("L")
    side = Image.new("L", (w, h), 0)
    ImageDraw.Draw(side).rectangle((0.42 * w, 0, 0.55 * w, h), fill=120)
    side = side.filter(ImageFilter.GaussianBlur(30 * SCALE))
    cup.paste((170, 176, 170), (0, 0), ImageChops.multiply(side, cup.getchannel("A")))
    del shade
    canvas.alpha_composite(cup)
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((0.25 * w, 0.53 * h, 0.53 * w, 0.59 * h), fill=(236, 238, 232))
    draw.ellipse((0.265 * w, 0.538 * h, 0.515 * w, 0.584 * h), fill=(206, 170, 64))
    draw.ellipse((0.3 * w, 0.545 * h, 0.43 * w, 0.565 * h), fill=(230, 204, 120))
    # steam
    steam = Image.new("L", (w, h), 0)
    steam_draw = ImageDraw.Draw(steam)
    for i, x in enumerate((0.34, 0.39, 0.44)):
        points = [((x + 0.015 * math.sin(t / 3 + i)) * w, (0.52 - t * 0.012) * h) for t in range(18)]
        steam_draw.line(points, fill=110, width=7 * SCALE)
    canvas.paste((255, 255, 255), (0, 0), steam.filter(ImageFilter.GaussianBlur(9 * SCALE)))
    # downy Shan tuyết leaves scattered on the table
    random.seed(23)
    for i in range(7):
        item = leaf(round(random.uniform(0.1, 0.15) * h), 0.32, (92, 128, 60), random.uniform(0, 360))
        item = _downy(item, 60 + i)
        _paste(canvas, item, (random.uniform(0.08, 0.66) * w, random.uniform(0.86, 0.96) * h))
    return _finish(canvas)


def _downy(item: Image.Image, seed: int) -> Image.Image:
    """The white down ("tuyết", snow) on young Shan tuyết buds: bright speckles over the leaf."""
    fuzz = _noise(item.size, 90, 0, seed).point(lambda v: 255 if v > 200 else 0).filter(ImageFilter.GaussianBlur(1))
    fuzz = ImageChops.multiply(fuzz, item.getchannel("A"))
    item = item.copy()
    item.paste((236, 240, 228), (0, 0), fuzz.point(lambda v: v * 2 // 3))
    return item


def tea_packages() -> Image.Image:
    """A paper tea tin and a kraft pouch of Shan tuyết, loose downy leaves poured in front."""
    canvas, (w, h), _horizon = _stage(
        [(0, (236, 230, 214)), (1, (204, 192, 166))], ((98, 70, 48), (56, 38, 24)), 0.66, seed=10
    )
    _soft_shadow(canvas, (0.16 * w, 0.84 * h, 0.86 * w, 0.96 * h), 190, 26 * SCALE)
    draw = ImageDraw.Draw(canvas)
    # the tin: a cylinder
    x0, x1, top, bottom = 0.2 * w, 0.46 * w, 0.26 * h, 0.88 * h
    body = vertical_gradient((round(x1 - x0), round(bottom - top)), [(0, (40, 84, 62)), (1, (24, 56, 40))])
    sheen = Image.linear_gradient("L").rotate(90).resize(body.size)
    body = Image.composite(Image.new("RGB", body.size, (90, 140, 112)), body, sheen.point(lambda v: (255 - v) // 4))
    canvas.paste(body, (round(x0), round(top)))
    draw.ellipse((x0, bottom - 0.03 * h, x1, bottom + 0.03 * h), fill=(24, 56, 40))
    draw.ellipse((x0, top - 0.035 * h, x1, top + 0.035 * h), fill=(196, 168, 96))
    draw.rectangle((x0, 0.44 * h, x1, 0.72 * h), fill=(244, 236, 214))
    draw.text(((x0 + x1) / 2, 0.47 * h), "TRÀ", font=_font("DejaVuSerif-Bold.ttf", 46), fill=(30, 70, 50), anchor="ma")
    draw.text(
        ((x0 + x1) / 2, 0.55 * h),
        "Shan tuyết",
        font=_font("DejaVuSerif-Italic.ttf", 30),
        fill=(30, 70, 50),
        anchor="ma",
    )
    draw.text(((x0 + x1) / 2, 0.63 * h), "Hà Giang", font=_font("DejaVuSans.ttf", 22), fill=(90, 80, 60), anchor="ma")
    # the pouch
    pouch = _box(round(0.26 * w), round(0.5 * h), round(0.05 * w), (184, 140, 92), (150, 108, 66), (200, 160, 110))
    canvas.alpha_composite(pouch, (round(0.52 * w), round(0.36 * h)))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0.52 * w, 0.36 * h + 0.05 * w, 0.78 * w, 0.36 * h + 0.05 * w + 0.05 * h), fill=(120, 84, 50))
    _label(
        draw,
        (0.55 * w, 0.52 * h, 0.75 * w, 0.74 * h),
        [
            ("Bạch trà", "DejaVuSerif-Bold.ttf", 28, (60, 50, 30)),
            ("cổ thụ", "DejaVuSerif-Italic.ttf", 22, (60, 50, 30)),
        ],
        (248, 244, 230),
        (120, 84, 50),
    )
    random.seed(29)
    for i in range(16):
        item = _downy(leaf(round(random.uniform(0.06, 0.1) * h), 0.3, (70, 96, 48), random.uniform(0, 360)), 90 + i)
        _paste(canvas, item, (random.uniform(0.3, 0.7) * w, random.uniform(0.88, 0.97) * h))
    return _finish(canvas)


def honey_jar() -> Image.Image:
    """A glass jar of amber mint honey, a wooden dipper, purple bạc hà flowers and the karst plateau behind."""
    canvas, (w, h), horizon = _stage(
        [(0, (214, 206, 226)), (0.5, (186, 178, 206)), (1, (160, 150, 182))],
        ((126, 90, 58), (74, 50, 30)),
        0.6,
        seed=11,
    )
    for base, colour, seed, rough in ((0.3, (150, 146, 170), 5, 1.6), (0.4, (122, 132, 128), 6, 1.3)):
        canvas.alpha_composite(_hills((w, h), round(base * h), colour, seed, rough=rough))
    canvas.paste(_table((w, h), horizon, (126, 90, 58), (74, 50, 30), 11), (0, horizon))
    _soft_shadow(canvas, (0.22 * w, 0.84 * h, 0.66 * w, 0.95 * h), 200, 24 * SCALE)
    jar(canvas, (0.26 * w, 0.3 * h, 0.56 * w, 0.9 * h))
    draw = ImageDraw.Draw(canvas)
    _label(
        draw,
        (0.29 * w, 0.56 * h, 0.53 * w, 0.74 * h),
        [
            ("MẬT ONG", "DejaVuSerif-Bold.ttf", 30, (110, 60, 10)),
            ("bạc hà", "DejaVuSerif-Italic.ttf", 26, (110, 60, 10)),
        ],
        (250, 240, 214),
        (150, 100, 30),
    )
    honeycomb(canvas, (0.65 * w, 0.88 * h), 0.028 * h)
    flowers(canvas, [(0.8, 0.5), (0.87, 0.44), (0.94, 0.52), (0.1, 0.56), (0.17, 0.5)], h)
    return _finish(canvas)


def honeycomb(canvas: Image.Image, centre: tuple[float, float], cell: float) -> None:
    """A slab of comb lying on the table: hexagonal wax cells, some filled with honey, seen at a slant."""
    cx, cy = centre
    _soft_shadow(canvas, (cx - cell * 5, cy + cell * 1.2, cx + cell * 5.5, cy + cell * 3.2), 170, round(cell))
    draw = ImageDraw.Draw(canvas)
    random.seed(43)
    for row in range(-2, 3):
        for col in range(-4, 5):
            x = cx + col * cell * 1.75 + (row % 2) * cell * 0.87
            y = cy + row * cell * 0.75
            hexagon = [
                (x + cell * math.cos(a), y + cell * 0.5 * math.sin(a)) for a in (math.pi / 3 * k for k in range(6))
            ]
            draw.polygon(hexagon, fill=(236, 196, 96), outline=(196, 144, 50))
            inner = [(x + (px - x) * 0.72, y + (py - y) * 0.72) for px, py in hexagon]
            draw.polygon(inner, fill=_mix((212, 130, 20), (246, 196, 80), random.random()))


def jar(canvas: Image.Image, box: tuple[float, float, float, float]) -> None:
    """A glass jar of honey: translucent amber, darker at the edges, a bright rim of light, a lid."""
    x0, y0, x1, y1 = (round(v) for v in box)
    width, height = x1 - x0, y1 - y0
    honey = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    glow = Image.radial_gradient("L").resize((width, height))
    amber = ImageOps.colorize(glow, black=(240, 170, 40), white=(130, 60, 8), mid=(212, 120, 20)).convert("RGBA")
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, height * 0.1, width, height), radius=width // 7, fill=255)
    honey.paste(amber, (0, 0), mask)
    draw = ImageDraw.Draw(honey)
    draw.rounded_rectangle(
        (width * 0.08, height * 0.16, width * 0.16, height * 0.9), radius=width // 20, fill=(255, 236, 180, 110)
    )
    draw.rounded_rectangle(
        (width * 0.82, height * 0.2, width * 0.87, height * 0.8), radius=width // 30, fill=(255, 230, 170, 70)
    )
    canvas.alpha_composite(honey, (x0, y0))
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle(
        (x0 + width * 0.06, y0, x1 - width * 0.06, y0 + height * 0.12), radius=width // 24, fill=(176, 40, 36)
    )
    draw.rectangle((x0 + width * 0.06, y0 + height * 0.085, x1 - width * 0.06, y0 + height * 0.12), fill=(146, 30, 28))


def flowers(canvas: Image.Image, centres: list[tuple[float, float]], h: int, *, size: float = 1.0) -> None:
    """Sprigs of bạc hà (Elsholtzia): a stem carrying a one-sided spike of tiny purple flowers."""
    w = canvas.width
    random.seed(37)
    draw = ImageDraw.Draw(canvas)
    for cx, cy in centres:
        x, y = cx * w, cy * h
        bottom = y + 0.3 * h * size
        lean = random.uniform(-14, 14) * SCALE * size
        draw.line([(x, bottom), (x + lean, y)], fill=(70, 100, 50), width=round(4 * SCALE * size))
        spike = 0.13 * h * size
        for i in range(40):
            t = i / 39
            fx = x + lean + lean * 0.4 * t + random.uniform(-4, 4) * SCALE * size
            fy = y - t * spike
            r = (6.5 - t * 3.5) * SCALE * size
            colour = _mix((112, 58, 150), (206, 160, 226), random.random())
            side = random.choice((-1, 1)) * r * 0.8
            draw.ellipse((fx + side - r, fy - r, fx + side + r, fy + r), fill=colour)
        for side in (-1, 1):
            item = leaf(round(0.08 * h * size), 0.4, (70, 110, 50), 90 + side * 50)
            _paste(canvas, item, (x + side * 0.03 * w * size, bottom - 0.08 * h * size))


def honey_hives() -> Image.Image:
    """Wooden beehives among flowering bạc hà on a stony slope, karst peaks in the morning haze."""
    size = (WIDTH * SCALE, HEIGHT * SCALE)
    w, h = size
    canvas = vertical_gradient(size, [(0, (232, 222, 236)), (0.45, (206, 200, 222)), (1, (170, 176, 160))]).convert(
        "RGBA"
    )
    for base, colour, seed, rough in (
        (0.3, (170, 166, 190), 12, 2.2),
        (0.42, (140, 146, 150), 13, 1.8),
        (0.55, (112, 128, 104), 14, 1.2),
    ):
        canvas.alpha_composite(_hills(size, round(base * h), colour, seed, rough=rough))
    ground = Image.new("RGBA", size, (98, 118, 74, 0))
    ImageDraw.Draw(ground).rectangle((0, 0.66 * h, w, h), fill=(98, 118, 74, 255))
    canvas.alpha_composite(ground.filter(ImageFilter.GaussianBlur(12 * SCALE)))
    random.seed(41)
    draw = ImageDraw.Draw(canvas)
    for _ in range(18):  # grey limestone of the plateau breaking through the grass
        x, y = random.uniform(0, w), random.uniform(0.7 * h, h)
        r = random.uniform(10, 26) * SCALE * (0.6 + (y / h - 0.7) * 2)
        tone = _mix((128, 130, 124), (176, 178, 170), random.random())
        draw.polygon(
            [(x - r, y + r * 0.4), (x - r * 0.6, y - r * 0.5), (x + r * 0.3, y - r * 0.6), (x + r, y + r * 0.4)],
            fill=tone,
        )
    for x, y, scale in ((0.3, 0.72, 1.0), (0.55, 0.7, 0.85), (0.76, 0.74, 1.1)):
        hw, hh = 0.13 * w * scale, 0.13 * h * scale
        _soft_shadow(canvas, (x * w - hw * 0.6, y * h + hh * 0.9, x * w + hw * 0.7, y * h + hh * 1.2), 150, 12 * SCALE)
        draw.rectangle((x * w - hw / 2, y * h, x * w + hw / 2, y * h + hh), fill=(186, 140, 86))
        for i in range(1, 4):
            draw.line(
                [(x * w - hw / 2, y * h + hh * i / 4), (x * w + hw / 2, y * h + hh * i / 4)],
                fill=(140, 100, 60),
                width=3 * SCALE,
            )
        draw.polygon(
            [
                (x * w - hw * 0.6, y * h),
                (x * w + hw * 0.6, y * h),
                (x * w + hw * 0.5, y * h - hh * 0.18),
                (x * w - hw * 0.5, y * h - hh * 0.18),
            ],
            fill=(120, 88, 60),
        )
        draw.rectangle((x * w - hw * 0.2, y * h + hh * 0.86, x * w + hw * 0.2, y * h + hh * 0.92), fill=(60, 40, 24))
    spots = [(0.06, 0.86), (0.16, 0.92), (0.44, 0.9), (0.64, 0.93), (0.92, 0.88), (0.98, 0.95), (0.36, 0.97)]
    flowers(canvas, spots, h, size=0.7)
    return _finish(canvas)


#: file name (in fixtures/demo/photos/) → the function that draws it
PICTURES: dict[str, Callable[[], Image.Image]] = {
    "oranges-still-life.jpg": oranges_still_life,
    "orange-gift-box.jpg": orange_box,
    "oranges-basket.jpg": oranges_in_basket,
    "tea-cup.jpg": tea_cup,
    "tea-packages.jpg": tea_packages,
    "honey-jar.jpg": honey_jar,
    "honey-hives.jpg": honey_hives,
}
