"""Regenerate docs/report-example.png: the top of report.html for the bundled example class.

    python docs/make_screenshot.py                  # writes docs/report-example.png
    python docs/make_screenshot.py --out /tmp/x.png --keep /tmp/example-out

Grades the four example classes with ``grader check ... --seed 1`` into a temporary folder
(or ``--keep DIR``), opens the page in Debian's headless Chromium (``/usr/bin/chromium``,
driven by Playwright's Python package from the ``test`` extra) at 1280 px wide, and keeps
the overview and the first assignment's section, at most 2400 px tall. A PNG over 600 KB is
reduced to a 256-colour palette with Pillow, when it is installed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"
CLASSES = ("jhu-hw3", "mit-backprop", "nyu-hw1", "mit-unit3")
CHROMIUM = "/usr/bin/chromium"
WIDTH, MAX_HEIGHT = 1280, 2400
LIMIT = 600_000  # bytes of PNG kept as Chromium wrote it
# The bottom of the first assignment's section, in page pixels.
BOTTOM = """() => {
  const first = document.querySelector('section[id^="assignment-"]') ?? document.querySelector("main");
  return Math.ceil(first.getBoundingClientRect().bottom + window.scrollY);
}"""


def grade(out: Path) -> Path:
    """``grader check`` on the example classes into ``out``; the page it wrote."""
    command = [sys.executable, "-m", "grader", "check", *(str(EXAMPLES / c) for c in CLASSES), "--out", str(out),
               "--seed", "1", "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"grader check failed (exit {done.returncode}):\n{done.stderr}")
    return out / "report.html"


def shoot(page_file: Path, png: Path) -> int:
    """A screenshot of the page's top into ``png``; its height."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(page_file.as_uri(), wait_until="load")
            height = min(int(page.evaluate(BOTTOM)) + 16, MAX_HEIGHT)
            page.screenshot(path=str(png), full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height})
        finally:
            browser.close()
    return height


def shrink(png: Path) -> None:
    """Over ``LIMIT`` bytes, and with Pillow installed: a 256-colour palette (a third of the size,
    nearly the same to the eye; the octree keeps the outcome colours, median cut merges them)."""
    if png.stat().st_size <= LIMIT:
        return  # Chromium's PNG as it is: every colour exact
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(png) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                                dither=Image.Dither.NONE)
    reduced.save(png, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report-example.png")
    parser.add_argument("--keep", type=Path, help="grade into this folder and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        page_file = grade(args.keep or Path(scratch) / "out")
        height = shoot(page_file, args.out)
    shrink(args.out)
    print(f"{args.out}: {WIDTH} x {height} px, {args.out.stat().st_size / 1e3:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
