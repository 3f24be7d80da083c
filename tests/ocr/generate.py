#!/usr/bin/python3
"""Generates the OCR fixtures in tests/ocr/ (deterministic: a fixed seed).

- screenshots/NNN.png: 100 screenshots as a screen shows text (96 dpi, 10-14 pt: 13-19 px
  letters), in DejaVu Sans/Serif/Mono and Liberation Sans/Serif, dark on light: 50 tables
  (a spreadsheet or web table: a header row, one person a row, grid lines) and 50 paragraphs
  of prose naming people. screenshots/manifest.csv says which listed names each one shows.
- notext/NNN.{jpg,png}: 50 images with no text: 25 synthetic "photos" (smooth colour fields,
  blurred blobs and grain, saved as JPEG) and 25 drawings (lines, circles, polygons and charts
  without labels on a flat background, saved as PNG).
- protected.csv: every name shown, one record each.
- german.png: a line of German naming a person with umlauts and sharp s (Jürgen Weißmüller),
  read with `ocr_languages = ["eng", "deu"]` (Debian `tesseract-ocr-deu`).

Run with Debian's python3 and python3-pil (Pillow 9.4) and fonts-dejavu-core, fonts-liberation:
    /usr/bin/python3 tests/ocr/generate.py
"""

import csv
import os
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
]
FIRST = """Amelia Oliver Isla George Ava Arthur Mia Noah Ivy Leo Freya Oscar Florence Archie
Evelyn Henry Rosalind Theodore Harriet Frederick Margaret Sebastian Beatrice Nathaniel Priya
Mohammed Aisha Tomasz Agnieszka Siobhan Declan Catriona Gareth Rhiannon Olufemi Chidinma
Katarzyna Giovanni Francesca Dmitri Svetlana Hamish Morwenna Eleanor Benedict Imogen Lachlan
Juliette Maximilian""".split()
LAST = """Featherstone Whitmore Ashworth Pemberton Blackwood Hargreaves Thornton Kowalski
Okonkwo Fitzgerald Macdonald Henderson Castellano Abernathy Lindqvist Ravenscroft Montgomery
Greenhalgh Chamberlain Winterbottom Sutherland Armstrong Nakamura Rosenberg Wainwright
Oyelaran Brannigan Villanueva Kensington Holloway Pritchard Llewellyn Donaghy Ferreira
Mackintosh Osei Patel Nguyen Shah Evans Jones Clarke Hughes Wood Hall Lewis Young Wright Green
Baker""".split()
PROSE = [
    "Following the hearing on {d}, {n} confirmed the statement given to officers.",
    "Please note that {n} has asked not to be contacted by telephone before {d}.",
    "The appointment for {n} was moved to {d}; the clinic will write to confirm.",
    "We spoke to {n} again this morning about the incident reported on {d}.",
    "Minutes: {n} attended and agreed the actions; next review {d}.",
    "Support worker allocated to {n}, first visit arranged for {d}.",
]
MONTHS = "January February March April May June July August September October November December".split()


def pt_to_px(pt):
    return round(pt * 96 / 72)


def date(rng):
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2026)}"


def palette(rng):
    """Background and ink as screens show them: white, off-white or light grey; near-black ink."""
    bg = rng.choice([(255, 255, 255), (250, 250, 250), (243, 244, 246), (255, 255, 240), (236, 240, 245)])
    ink = rng.choice([(0, 0, 0), (33, 33, 33), (51, 51, 51), (20, 40, 80)])
    return bg, ink


def save_png(img, path):
    # Quantised to a small palette: screenshots compress well, and the fixtures stay small.
    img.convert("RGB").quantize(colors=16, dither=Image.Dither.NONE).save(path, optimize=True)


def table(rng, names, font, size):
    bg, ink = palette(rng)
    f = ImageFont.truetype(font, size)
    header = ["Name", "Date of birth", "Reference", "Phone"]
    rows = [[n, date(rng), f"CR-{rng.randint(100000, 999999)}", f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"] for n in names]
    pad = size // 2
    widths = [max(f.getlength(r[i]) for r in [header] + rows) + 2 * pad for i in range(4)]
    line_h = int(size * 1.6)
    w = int(sum(widths)) + 40
    h = line_h * (len(rows) + 1) + 40
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    grid = tuple(max(0, c - 60) for c in bg)
    head_bg = tuple(max(0, c - 25) for c in bg)
    d.rectangle([20, 20, w - 20, 20 + line_h], fill=head_bg)
    y = 20
    for r, row in enumerate([header] + rows):
        x = 20
        for i, cell in enumerate(row):
            d.text((x + pad, y + (line_h - size) // 2), cell, font=f, fill=ink)
            x += widths[i]
        y += line_h
        d.line([20, y, w - 20, y], fill=grid)
    x = 20
    for wd in widths:
        d.line([x, 20, x, y], fill=grid)
        x += wd
    d.line([x, 20, x, y], fill=grid)
    return img


def prose(rng, names, font, size):
    bg, ink = palette(rng)
    f = ImageFont.truetype(font, size)
    text = " ".join(rng.choice(PROSE).format(n=n, d=date(rng)) for n in names)
    width = rng.choice([560, 640, 720, 800])
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = (line + " " + word).strip()
        if f.getlength(trial) > width - 40 and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    line_h = int(size * 1.5)
    img = Image.new("RGB", (width, line_h * len(lines) + 40), bg)
    d = ImageDraw.Draw(img)
    for i, l in enumerate(lines):
        d.text((20, 20 + i * line_h), l, font=f, fill=ink)
    return img


def photo(rng, w, h):
    """A synthetic photo: a smooth colour field, soft blobs, blur and grain."""
    small = Image.new("RGB", (8, 6))
    small.putdata([(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)) for _ in range(48)])
    img = small.resize((w, h), Image.BICUBIC)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(5, 15)):
        x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(10, w // 3)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    img = img.filter(ImageFilter.GaussianBlur(rng.randint(4, 12)))
    noise = Image.effect_noise((w, h), rng.randint(10, 40)).convert("RGB")
    return Image.blend(img, noise, 0.15)


def drawing(rng, w, h):
    """A drawing without text: shapes, lines and an unlabelled chart on a flat background."""
    bg = rng.choice([(255, 255, 255), (248, 248, 248), (230, 240, 255)])
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    colours = [(rng.randint(0, 200), rng.randint(0, 200), rng.randint(0, 200)) for _ in range(5)]
    kind = rng.randint(0, 2)
    if kind == 0:  # bar chart, no labels
        n = rng.randint(4, 10)
        bw = (w - 40) // n
        for i in range(n):
            bh = rng.randint(10, h - 40)
            d.rectangle([20 + i * bw + 4, h - 20 - bh, 20 + (i + 1) * bw - 4, h - 20], fill=rng.choice(colours))
        d.line([20, h - 20, w - 20, h - 20], fill=(0, 0, 0), width=2)
    elif kind == 1:  # shapes
        for _ in range(rng.randint(3, 12)):
            x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(15, min(w, h) // 3)
            shape = rng.randint(0, 2)
            c = rng.choice(colours)
            if shape == 0:
                d.ellipse([x - r, y - r, x + r, y + r], outline=c, width=rng.randint(2, 6))
            elif shape == 1:
                d.rectangle([x - r, y - r // 2, x + r, y + r // 2], fill=c)
            else:
                d.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=c)
    else:  # line chart / sketch
        for c in colours[:3]:
            pts = [(x, rng.randint(20, h - 20)) for x in range(20, w - 20, rng.randint(20, 60))]
            d.line(pts, fill=c, width=rng.randint(2, 5))
    return img


def flate_pdf(img, path):
    """A one-page PDF whose only content is `img` (grey) as a FlateDecode image XObject."""
    import zlib
    grey = img.convert("L")
    w, h = grey.size
    image_pdf(w, h, "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", zlib.compress(grey.tobytes()), path)


def image_pdf(w, h, image, data, path, extra=()):
    """A one-page PDF whose only content is one image XObject of `w` x `h` pixels: `image` the
    rest of its dictionary (colour space, filter), `data` its stream; `extra` more objects, from
    number 6."""
    content = f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} {image} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        *extra,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objects):
        offsets.append(len(out))
        out += f"{i + 1} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    with open(path, "wb") as f:
        f.write(out)


def scans(screenshot):
    """A scanned page three ways: JPEG (Pillow's PDF writer, DCTDecode), raw grey pixels
    (FlateDecode, written here) and 1-bit CCITT fax (Pillow's PDF writer): the screenshot at
    twice its size, as a 192-dpi scan of it would be."""
    img = Image.open(screenshot).convert("RGB")
    img = img.resize((img.width * 2, img.height * 2), Image.LANCZOS)
    img.save(os.path.join(HERE, "scan-dct.pdf"), resolution=192, quality=80)
    flate_pdf(img, os.path.join(HERE, "scan-flate.pdf"))
    img.convert("1").save(os.path.join(HERE, "scan-ccitt.pdf"), resolution=192)


LETTER = [
    ["Northfield Housing Association", "14 Mill Lane, Northfield", "", "Dear Sir or Madam,",
     "Thank you for your letter about the repairs", "to the flats on the east side of the estate."],
    ["The surveyor will visit in the first week of", "next month and will write to each tenant",
     "before the work begins.", "", "Yours faithfully,", "The Lettings Team"],
    ["Enclosure: tenant named in the complaint", "", "Tenant: Henry Okonkwo",
     "Flat 7, east side", "Reference held by the lettings office"],
]


def letter():
    """A three-page scanned letter as a fax would send it: 1-bit pages of 1240 x 640 pixels
    (DejaVu Serif, 34 px), the listed name only on page 3. Pillow writes each page as an
    uncompressed 1-bit TIFF; libtiff's tiffcp joins them into one CCITT Group 4 TIFF
    (letter.tif), and tiff2pdf turns that into a PDF whose pages are CCITTFaxDecode Group 4
    images (letter-g4.pdf; its dates are set to 2026-01-01 so the file is reproducible). Page 3
    alone, encoded by tiffcp as one strip of one-dimensional Group 3 with byte-aligned rows and
    EOLs (`-c g3:1d:fill`), is wrapped as it is in a PDF image with /K 0 /EndOfLine true
    /EncodedByteAlign true (letter-g3.pdf, written here: tiff2pdf re-encodes Group 3 as Group
    4). Needs Debian's libtiff-tools 4.5."""
    import re
    import subprocess
    import tempfile

    f = ImageFont.truetype(FONTS[1], 34)
    with tempfile.TemporaryDirectory() as tmp:
        pages = []
        for i, lines in enumerate(LETTER):
            img = Image.new("1", (1240, 640), 1)
            d = ImageDraw.Draw(img)
            for j, line in enumerate(lines):
                d.text((80, 60 + j * 56), line, font=f, fill=0)
            d.text((1040, 580), f"{i + 1} / 3", font=f, fill=0)
            pages.append(os.path.join(tmp, f"p{i + 1}.tif"))
            img.save(pages[-1], dpi=(200, 200))
        tif = os.path.join(HERE, "letter.tif")
        subprocess.run(["tiffcp", "-c", "g4", *pages, tif], check=True)
        pdf = os.path.join(HERE, "letter-g4.pdf")
        subprocess.run(["tiff2pdf", "-o", pdf, tif], check=True)
        with open(pdf, "rb") as f:
            data = re.sub(rb"\(D:\d{14}\)", b"(D:20260101000000)", f.read())
        with open(pdf, "wb") as f:
            f.write(data)
        g3 = os.path.join(tmp, "p3-g3.tif")
        subprocess.run(["tiffcp", "-c", "g3:1d:fill", "-r", "640", pages[2], g3], check=True)
        with Image.open(g3) as img:
            offset = img.tag_v2[273][0]
            length = img.tag_v2[279][0]
        with open(g3, "rb") as f:
            strip = f.read()[offset:offset + length]
        params = "/K 0 /Columns 1240 /Rows 640 /EndOfLine true /EncodedByteAlign true /BlackIs1 true"
        image_pdf(1240, 640, f"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << {params} >>",
                  strip, os.path.join(HERE, "letter-g3.pdf"))


# The MQ coder's probability states (T.88 Table E.1): Qe, next if MPS, next if LPS, switch.
MQ_STATES = [(0x5601,1,1,1),(0x3401,2,6,0),(0x1801,3,9,0),(0x0AC1,4,12,0),(0x0521,5,29,0),(0x0221,38,33,0),
(0x5601,7,6,1),(0x5401,8,14,0),(0x4801,9,14,0),(0x3801,10,14,0),(0x3001,11,17,0),(0x2401,12,18,0),
(0x1C01,13,20,0),(0x1601,29,21,0),(0x5601,15,14,1),(0x5401,16,14,0),(0x5101,17,15,0),(0x4801,18,16,0),
(0x3801,19,17,0),(0x3401,20,18,0),(0x3001,21,19,0),(0x2801,22,19,0),(0x2401,23,20,0),(0x2201,24,21,0),
(0x1C01,25,22,0),(0x1801,26,23,0),(0x1601,27,24,0),(0x1401,28,25,0),(0x1201,29,26,0),(0x1101,30,27,0),
(0x0AC1,31,28,0),(0x09C1,32,29,0),(0x08A1,33,30,0),(0x0521,34,31,0),(0x0441,35,32,0),(0x02A1,36,33,0),
(0x0221,37,34,0),(0x0141,38,35,0),(0x0111,39,36,0),(0x0085,40,37,0),(0x0049,41,38,0),(0x0025,42,39,0),
(0x0015,43,40,0),(0x0009,44,41,0),(0x0005,45,42,0),(0x0001,45,43,0),(0x5601,46,46,0)]


def generic_template0(bits, width, height):
    """The MQ-coded data of a generic region (template 0, its default AT pixels, no TPGDON)
    holding `bits` (rows of 0/1, 1 black), ended by the 0xFF 0xAC marker: the arithmetic coding
    JBIG2 encoders (jbig2enc, scanners) use, written from T.88 Annex E.2 (INITENC, ENCODE,
    RENORME, BYTEOUT, FLUSH) and 6.2.5.3 (the 16 pixels of template 0's context)."""
    index = [0] * 65536
    mps = [0] * 65536
    a, c, ct = 0x8000, 0, 12
    out = [0]

    def byteout():
        nonlocal c, ct
        if out[-1] == 0xFF:
            out.append(c >> 20); c &= 0xFFFFF; ct = 7
        elif c < 0x8000000:
            out.append(c >> 19); c &= 0x7FFFF; ct = 8
        else:
            out[-1] += 1
            if out[-1] == 0xFF:
                c &= 0x7FFFFFF
                out.append(c >> 20); c &= 0xFFFFF; ct = 7
            else:
                out.append(c >> 19); c &= 0x7FFFF; ct = 8

    def encode(cx, d):
        nonlocal a, c, ct
        qe, nmps, nlps, switch = MQ_STATES[index[cx]]
        a -= qe
        if d == mps[cx]:
            if a & 0x8000 == 0:
                if a < qe:
                    a = qe
                else:
                    c += qe
                index[cx] = nmps
            else:
                c += qe
                return
        else:
            if a < qe:
                c += qe
            else:
                a = qe
            if switch:
                mps[cx] = 1 - mps[cx]
            index[cx] = nlps
        while True:
            a = (a << 1) & 0xFFFF
            c <<= 1
            ct -= 1
            if ct == 0:
                byteout()
            if a & 0x8000:
                break

    def px(x, y):
        if 0 <= x < width and 0 <= y:
            return bits[y][x]
        return 0

    for y in range(height):
        for x in range(width):
            cx = (px(x - 1, y) | px(x - 2, y) << 1 | px(x - 3, y) << 2 | px(x - 4, y) << 3
                  | px(x + 3, y - 1) << 4 | px(x + 2, y - 1) << 5 | px(x + 1, y - 1) << 6
                  | px(x, y - 1) << 7 | px(x - 1, y - 1) << 8 | px(x - 2, y - 1) << 9
                  | px(x - 3, y - 1) << 10 | px(x + 2, y - 2) << 11 | px(x + 1, y - 2) << 12
                  | px(x, y - 2) << 13 | px(x - 1, y - 2) << 14 | px(x - 2, y - 2) << 15)
            encode(cx, bits[y][x])
    # FLUSH (SETBITS, then two bytes out).
    temp = c + a
    c |= 0xFFFF
    if c >= temp:
        c -= 0x8000
    c <<= ct
    byteout()
    c <<= ct
    byteout()
    data = bytes(b & 0xFF for b in out[1:])
    if out[-1] == 0xFF:
        data = data[:-1]
    return data + b"\xff\xac"


def jbig2():
    """Page 3 of the letter as a JBIG2 scan in a PDF (/JBIG2Decode): letter-jbig2.pdf. The JBIG2
    stream is in the embedded organisation PDF uses (T.88 Annex D.3): a page information
    segment (1240 x 640, 200 dpi), one immediate generic region segment coded with MMR (its
    bitmap is T.6, Group 4, as Pillow's libtiff writer codes it in one strip, from the page
    drawn with ink as 1 bits, JBIG2's black) and an end of page segment. Also written alone as
    letter.jb2 (a fuzzing seed). letter-jbig2-mq.pdf: the same page with its generic region
    arithmetic-coded (generic_template0)."""
    import struct
    import tempfile

    f = ImageFont.truetype(FONTS[1], 34)
    img = Image.new("1", (1240, 640), 0)
    d = ImageDraw.Draw(img)
    for j, line in enumerate(LETTER[2]):
        d.text((80, 60 + j * 56), line, font=f, fill=1)
    d.text((1040, 580), "3 / 3", font=f, fill=1)
    with tempfile.TemporaryDirectory() as tmp:
        # Pillow's libtiff Group 4 writer, one strip; libtiff codes 0 bits as white runs
        # whatever the photometric says, which is what JBIG2's MMR wants.
        g4 = os.path.join(tmp, "p3-g4.tif")
        img.save(g4, compression="group4", tiffinfo={278: 640})
        with Image.open(g4) as t:
            offset, length = t.tag_v2[273][0], t.tag_v2[279][0]
        with open(g4, "rb") as fh:
            mmr = fh.read()[offset:offset + length]

    def segment(number, kind, data):
        # Number, flags (type; page association in one byte), no referred-to segments, page 1.
        return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data

    page_info = struct.pack(">IIIIBH", 1240, 640, 7874, 7874, 0, 0)  # 200 dpi in pixels a metre
    region = struct.pack(">IIIIB", 1240, 640, 0, 0, 0) + bytes([1]) + mmr  # OR; MMR = 1
    stream = segment(0, 48, page_info) + segment(1, 38, region) + segment(2, 49, b"")
    with open(os.path.join(HERE, "letter.jb2"), "wb") as fh:
        fh.write(stream)
    image_pdf(1240, 640, "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode",
              stream, os.path.join(HERE, "letter-jbig2.pdf"))
    # The same page arithmetic-coded (MMR = 0, template 0, AT pixels (3,-1) (-3,-1) (2,-2) (-2,-2)).
    px = img.load()
    bits = [[1 if px[x, y] else 0 for x in range(1240)] for y in range(640)]
    at = bytes([3, 0xFF, 0xFD, 0xFF, 2, 0xFE, 0xFE, 0xFE])
    region = struct.pack(">IIIIB", 1240, 640, 0, 0, 0) + bytes([0]) + at + generic_template0(bits, 1240, 640)
    stream = segment(0, 48, page_info) + segment(1, 38, region) + segment(2, 49, b"")
    image_pdf(1240, 640, "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode",
              stream, os.path.join(HERE, "letter-jbig2-mq.pdf"))
    # With a /JBIG2Globals stream (deflated): one holding only an end of file segment (type 51,
    # no dictionary; the page reads as without), and one holding a symbol dictionary segment
    # (type 0) of 5 zero bytes, too short to be one (damaged).
    import zlib

    for name, globals_ in (("letter-jbig2-globals.pdf", segment(3, 51, b"")),
                           ("letter-jbig2-bad-globals.pdf", segment(3, 0, bytes(5)))):
        packed = zlib.compress(globals_, 9)
        obj = f"<< /Filter /FlateDecode /Length {len(packed)} >>\nstream\n".encode() + packed + b"\nendstream"
        image_pdf(1240, 640, "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode "
                  "/DecodeParms << /JBIG2Globals 6 0 R >>", stream, os.path.join(HERE, name), [obj])


def slides():
    """An animated GIF of three slides (Pillow's GIF writer, 720 x 240, DejaVu Sans 30 px), the
    listed name only on the third: slides.gif."""
    f = ImageFont.truetype(FONTS[0], 30)
    frames = []
    for lines in (["Quarterly review", "Housing repairs, east side"], ["Surveys booked: 14", "Visits done: 9"],
                  ["Complaint from the tenant", "Henry Okonkwo, flat 7"]):
        img = Image.new("L", (720, 240), 255)
        d = ImageDraw.Draw(img)
        for j, line in enumerate(lines):
            d.text((40, 50 + j * 60), line, font=f, fill=0)
        frames.append(img.convert("P"))
    frames[0].save(os.path.join(HERE, "slides.gif"), save_all=True, append_images=frames[1:], duration=2000, loop=0)


def german():
    """A screenshot of one line of German whose name has letters English data lacks (ü, ß)."""
    f = ImageFont.truetype(FONTS[1], pt_to_px(14))
    img = Image.new("RGB", (860, 70), (255, 255, 255))
    text = "Bescheid für Jürgen Weißmüller über die Anhörung am 3. März."
    ImageDraw.Draw(img).text((20, 20), text, font=f, fill=(0, 0, 0))
    save_png(img, os.path.join(HERE, "german.png"))


def main():
    rng = random.Random(29)
    shots = os.path.join(HERE, "screenshots")
    notext = os.path.join(HERE, "notext")
    os.makedirs(shots, exist_ok=True)
    os.makedirs(notext, exist_ok=True)
    people = sorted({f"{a} {b}" for a in FIRST for b in LAST})
    rng.shuffle(people)
    used = []
    manifest = []
    for i in range(100):
        names = [people.pop() for _ in range(rng.randint(3, 6))]
        used += names
        font = FONTS[i % len(FONTS)]
        size = pt_to_px(rng.choice([10, 10.5, 11, 12, 13, 14]))
        img = table(rng, names, font, size) if i % 2 == 0 else prose(rng, names, font, size)
        name = f"{i + 1:03}.png"
        save_png(img, os.path.join(shots, name))
        manifest.append((name, "table" if i % 2 == 0 else "prose", os.path.basename(font), size, "|".join(names)))
    with open(os.path.join(shots, "manifest.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "kind", "font", "px", "names"])
        w.writerows(manifest)
    with open(os.path.join(HERE, "protected.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "kind", "value"])
        for i, n in enumerate(used):
            w.writerow([f"P{i + 1:03}", "name", n])
    # Misread: a listed name with one wrong letter in each word, as OCR misreads it (the same
    # words as plain text are no match: the tolerance is for OCR text only).
    f = ImageFont.truetype(FONTS[0], pt_to_px(12))
    img = Image.new("RGB", (620, 60), (255, 255, 255))
    ImageDraw.Draw(img).text((20, 20), "Letter for Beatrlce Featherstcne about the visit.", font=f, fill=(0, 0, 0))
    save_png(img, os.path.join(HERE, "misread.png"))
    scans(os.path.join(shots, "001.png"))
    letter()
    slides()
    german()
    jbig2()
    for i in range(50):
        wd, ht = rng.choice([(320, 240), (400, 300), (480, 360), (360, 480)])
        if i % 2 == 0:
            photo(rng, wd, ht).save(os.path.join(notext, f"{i + 1:03}.jpg"), quality=70)
        else:
            save_png(drawing(rng, wd, ht), os.path.join(notext, f"{i + 1:03}.png"))


if __name__ == "__main__":
    main()
