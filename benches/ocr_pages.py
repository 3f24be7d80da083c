#!/usr/bin/python3
"""Writes the bench images of benches/ocr_callgrind.sh into DIR (deterministic: a fixed seed):

- screen.png: a whole 1920 x 1080 screen as a screenshot tool saves it (24-bit RGB PNG, 96
  dpi in its pHYs chunk): a spreadsheet window, a menu bar and a grid of 36 rows naming
  people, Liberation Sans 11 pt (15 px).
- scan.jpg: an A4 page scanned at 300 dpi (2480 x 3508, grey JPEG at quality 75, 300 dpi in
  its JFIF header): a typed letter in Liberation Serif 12 pt (50 px) naming people, on a
  slightly uneven paper tone with scanner grain, turned 0.4 degrees.

The names are those of tests/ocr/protected.csv (the list the bench scans against).

    /usr/bin/python3 benches/ocr_pages.py DIR       (Debian: python3-pil fonts-liberation)
"""

import csv
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SANS = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
SERIF = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"
MONTHS = "January February March April May June July August September October November December".split()


def names():
    with open(os.path.join(ROOT, "tests", "ocr", "protected.csv"), newline="") as f:
        return [row["value"] for row in csv.DictReader(f) if row["kind"] == "name"]


def date(rng):
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2026)}"


def screen(rng, people, path):
    img = Image.new("RGB", (1920, 1080), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(SANS, 15)
    d.rectangle([0, 0, 1920, 30], fill=(32, 96, 64))
    d.text((12, 7), "cases-2026.xlsx - Spreadsheet", font=f, fill=(255, 255, 255))
    d.rectangle([0, 30, 1920, 62], fill=(243, 243, 243))
    for i, item in enumerate(["File", "Home", "Insert", "Page Layout", "Formulas", "Data", "Review", "View"]):
        d.text((14 + i * 96, 39), item, font=f, fill=(40, 40, 40))
    d.rectangle([0, 62, 1920, 92], fill=(250, 250, 250))
    d.text((12, 69), "A1", font=f, fill=(40, 40, 40))
    d.line([0, 92, 1920, 92], fill=(200, 200, 200))
    header = ["Name", "Date of birth", "Reference", "Phone", "Team", "Notes"]
    widths = [300, 180, 160, 180, 200, 860]
    top, row_h, left = 92, 26, 40
    teams = ["North", "South", "East", "West", "Central"]
    notes = ["visit booked", "called back, no answer", "letter sent", "review next month", "", "closed"]
    rows = [header] + [
        [p, date(rng), f"CR-{rng.randint(100000, 999999)}", f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
         rng.choice(teams), rng.choice(notes)]
        for p in rng.sample(people, 36)
    ]
    for r, row in enumerate(rows):
        y = top + r * row_h
        if r == 0:
            d.rectangle([left, y, 1920, y + row_h], fill=(230, 230, 230))
        d.rectangle([0, y, left, y + row_h], fill=(238, 238, 238))
        d.text((8, y + 5), str(r + 1), font=f, fill=(90, 90, 90))
        x = left
        for cell, w in zip(row, widths):
            d.text((x + 6, y + 5), cell, font=f, fill=(0, 0, 0))
            x += w
        d.line([0, y + row_h, 1920, y + row_h], fill=(212, 212, 212))
    x = left
    for w in widths:
        d.line([x, top, x, top + row_h * len(rows)], fill=(212, 212, 212))
        x += w
    d.rectangle([0, 1050, 1920, 1080], fill=(243, 243, 243))
    d.text((12, 1057), "Sheet1    Sheet2    Ready", font=f, fill=(60, 60, 60))
    img.save(path, dpi=(96, 96))


def scan(rng, people, path):
    w, h = 2480, 3508
    f = ImageFont.truetype(SERIF, 50)
    page = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(page)
    lines = ["Northfield Housing Association", "14 Mill Lane, Northfield", "", date(rng), "",
             "Dear Sir or Madam,", ""]
    words = []
    for p in rng.sample(people, 6):
        words += (f"We write about the tenancy of {p}, whose case was reviewed on {date(rng)}. "
                  "The surveyor will visit the flat in the first week of next month and will write "
                  "to each tenant before the work begins. ").split()
    line = ""
    for word in words:
        trial = (line + " " + word).strip()
        if f.getlength(trial) > w - 2 * 250 and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines += [line, "", "Yours faithfully,", "", "The Lettings Team"]
    for i, text in enumerate(lines):
        d.text((250, 300 + i * 75), text, font=f, fill=0)
    page = page.rotate(0.4, resample=Image.BICUBIC, fillcolor=255)
    # Paper tone and ink spread: the page darkened to 230-245 in large soft patches, the ink
    # lifted to a dark grey, grain over all.
    tone = Image.new("L", (31, 44))
    tone.putdata([rng.randint(230, 245) for _ in range(31 * 44)])
    tone = tone.resize((w, h), Image.BICUBIC)
    page = Image.composite(Image.new("L", (w, h), 40), tone, page.point(lambda v: 255 - v))
    grain = Image.effect_noise((w, h), 12)
    page = Image.blend(page, grain, 0.08).filter(ImageFilter.GaussianBlur(0.6))
    page.save(path, quality=75, dpi=(300, 300))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(2029)
    people = names()
    screen(rng, people, os.path.join(out, "screen.png"))
    scan(rng, people, os.path.join(out, "scan.jpg"))


if __name__ == "__main__":
    main()
