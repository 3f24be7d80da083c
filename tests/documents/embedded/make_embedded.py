#!/usr/bin/env python3
"""Makes the fixtures of tests/embedded.rs: documents that embed other documents.

    apt-get install libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui python3-uno
    /usr/bin/python3 tests/documents/embedded/make_embedded.py          # all of them
    /usr/bin/python3 tests/documents/embedded/make_embedded.py legacy   # objects-lo.*, report-lo.doc, clean-lo.xls

LibreOffice (driven through python-uno) makes the documents it can make: a Writer document
embedding a spreadsheet object, saved as DOCX and ODT (`report-lo.*`); a presentation
embedding a text document (`slides-lo.*`); a text document with a chart (`chart-lo.*`); a
control embedding a clean spreadsheet (`clean-lo.*`); and the ODT LibreOffice writes when it
opens a DOCX holding an OLE package (`package-lo.odt`, and as Word 97 `package-lo.doc`); and
objects on a sheet and on a slide saved as Excel 97 and PowerPoint 97 (`objects-lo.xls`,
`objects-lo.ppt`, the control `clean-lo.xls`). What LibreOffice cannot make is made
here by hand, as Word and the Windows Packager lay it out (MS-OLEDS, MS-CFB): an OLE package
(`oleObject1.bin`, a compound file with an `\\x01Ole10Native` stream, written by the small
compound-file writer below) in a DOCX (`package.docx`), and an RTF with `\\object` data
(`objects.rtf`: an OLE 1.0 package, and an Excel object whose compound file holds the
workbook in its `Package` stream).

Every person named is fictitious and listed in ../protected.csv; each place holds a
different person, so a finding says which place was read.
"""

import os
import shutil
import struct
import subprocess
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

CALC = "47BBB4CB-CE4C-4E80-A591-42D9AE74950F"
WRITER = "8BC6B165-B1B2-4EDD-aa47-dae2ee689dd6"
CHART = "12DCAE26-281F-416F-a234-c3086127382e"


def out(name):
    return os.path.join(HERE, name)


# --- A compound file (MS-CFB version 3) -------------------------------------------------------

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _chain(start, n):
    return [start + k + 1 for k in range(n - 1)] + [END] if n else []


def _sectors(n, size=512):
    return -(-n // size)


def compound(streams):
    """A compound file whose root storage holds `streams` [(name, bytes)]: streams under 4096
    bytes in the mini stream, the others in sectors of their own; the directory a sorted chain
    of right siblings (all black, as MS-CFB allows)."""
    entries = sorted(streams, key=lambda s: (len(s[0]), s[0].upper()))
    mini, minifat, start = bytearray(), [], {}
    big = []
    for i, (_, data) in enumerate(entries):
        if len(data) >= 4096:
            big.append(i)
        elif data:
            n = _sectors(len(data), 64)
            start[i] = len(mini) // 64
            minifat += _chain(start[i], n)
            mini += data + b"\0" * (n * 64 - len(data))
        else:
            start[i] = END
    ndir = _sectors(128 * (len(entries) + 1))
    nminifat = _sectors(4 * len(minifat))
    nmini = _sectors(len(mini))
    nbig = [_sectors(len(entries[i][1])) for i in big]
    nfat = 1
    while nfat * 128 < nfat + ndir + nminifat + nmini + sum(nbig):
        nfat += 1
    assert nfat <= 109
    fat = [FATSECT] * nfat
    dir_start = len(fat)
    fat += _chain(dir_start, ndir)
    minifat_start = len(fat) if nminifat else END
    fat += _chain(len(fat), nminifat)
    mini_start = len(fat) if nmini else END
    fat += _chain(len(fat), nmini)
    for i, n in zip(big, nbig):
        start[i] = len(fat)
        fat += _chain(len(fat), n)
    fat += [FREE] * (nfat * 128 - len(fat))

    def entry(name, kind, child, right, first, size):
        u = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (u.ljust(64, b"\0") + struct.pack("<HBBIII", len(u), kind, 1, NOSTREAM, right, child)
                + b"\0" * 36 + struct.pack("<IQ", first, size))

    directory = entry("Root Entry", 5, 1 if entries else NOSTREAM, NOSTREAM, mini_start, len(mini))
    for i, (name, data) in enumerate(entries):
        right = i + 2 if i + 1 < len(entries) else NOSTREAM
        directory += entry(name, 2, NOSTREAM, right, start[i], len(data))
    while len(directory) < ndir * 512:
        directory += entry("", 0, NOSTREAM, NOSTREAM, 0, 0)

    def pad(b, fill=b"\0"):
        return b + fill * ((-len(b)) % 512)

    difat = list(range(nfat)) + [FREE] * (109 - nfat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, nfat, dir_start, 0, 4096, minifat_start, nminifat, END, 0)
              + struct.pack("<109I", *difat))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    body += pad(struct.pack(f"<{len(minifat)}I", *minifat), b"\xff") if minifat else b""
    body += pad(bytes(mini))
    for i in big:
        body += pad(entries[i][1])
    return header + body


# --- OLE objects (MS-OLEDS) -------------------------------------------------------------------

def packager(name, data):
    """The Packager's native data for a file `name`: label, original path, temporary path."""
    temp = f"C:\\Users\\officer\\AppData\\Local\\Temp\\{name}\0".encode("cp1252")
    return (struct.pack("<H", 2) + f"{name}\0C:\\Users\\officer\\Documents\\{name}\0".encode("cp1252")
            + struct.pack("<II", 0x00030000, len(temp)) + temp + struct.pack("<I", len(data)) + data)


def comp_obj(user_type, prog_id):
    """A `\\x01CompObj` stream naming the object's class."""
    def ansi(s):
        b = s.encode("cp1252") + b"\0"
        return struct.pack("<I", len(b)) + b
    return (struct.pack("<HHII", 1, 0xFFFE, 0x0A03, 0xFFFFFFFF) + b"\0" * 16 + ansi(user_type)
            + struct.pack("<I", 0) + ansi(prog_id) + struct.pack("<I", 0x71B239F4) + b"\0" * 12)


def ole_package(name, data):
    """`oleObject1.bin` as Word writes an OLE package: the file in `\\x01Ole10Native`."""
    native = packager(name, data)
    return compound([
        ("\x01Ole10Native", struct.pack("<I", len(native)) + native),
        ("\x01CompObj", comp_obj("OLE Package", "Package")),
        ("\x03ObjInfo", b"\x00\x00\x03\x00\x04\x00"),
    ])


def ole_office(user_type, prog_id, package):
    """An Office 2007 object (workbook, document) as an OLE 2 compound file: the package in its
    `Package` stream."""
    return compound([("Package", package), ("\x01CompObj", comp_obj(user_type, prog_id)),
                     ("\x01Ole", b"\x01\x00\x00\x02" + b"\0" * 16)])


def ole1(class_name, native):
    """An OLE 1.0 embedded object (RTF `\\objdata`): header, class, topic, item, native data."""
    def ansi(s):
        b = s.encode("cp1252") + b"\0"
        return struct.pack("<I", len(b)) + b
    return (struct.pack("<II", 0x0501, 2) + ansi(class_name) + ansi("") + ansi("")
            + struct.pack("<I", len(native)) + native)


def rtf_object(class_name, data, width=2000, height=600):
    hexed = data.hex()
    lines = "\n".join(hexed[i:i + 128] for i in range(0, len(hexed), 128))
    return ("{\\object\\objemb\\objw%d\\objh%d{\\*\\objclass %s}{\\*\\objdata\n%s\n}"
            "{\\result {\\pard [%s]\\par}}}" % (width, height, class_name, lines, class_name))


# --- Hand-made documents ----------------------------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>
<Default Extension="emf" ContentType="image/x-emf"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""

DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="embeddings/oleObject1.bin"/>
<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.emf"/>
</Relationships>"""

DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<w:body>
<w:p><w:r><w:t>The contact list is attached below.</w:t></w:r></w:p>
<w:p><w:r><w:object w:dxaOrig="1520" w:dyaOrig="960">
<v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:76pt;height:48pt" o:ole=""><v:imagedata r:id="rId6" o:title=""/></v:shape>
<o:OLEObject Type="Embed" ProgID="Package" ShapeID="_x0000_i1025" DrawAspect="Icon" ObjectID="_1780000001" r:id="rId5"/>
</w:object></w:r></w:p>
<w:sectPr/>
</w:body>
</w:document>"""

# The smallest EMF: a header record and an end record (the icon Word would draw).
EMF = (struct.pack("<II4i4i", 1, 108, 0, 0, 100, 100, 0, 0, 2540, 2540) + b" EMF"
       + struct.pack("<IIIHHIII", 0x10000, 128, 2, 0, 0, 0, 0, 0) + struct.pack("<2i2i", 1024, 768, 320, 240)
       + struct.pack("<III", 14, 20, 0) + struct.pack("<II", 16, 20))


def package_docx():
    contacts = "name,phone\nTomasz Nowak,07700 900123\n".encode()  # P04, inside the OLE package
    with zipfile.ZipFile(out("package.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/_rels/document.xml.rels", DOC_RELS)
        z.writestr("word/document.xml", DOCUMENT)
        z.writestr("word/embeddings/oleObject1.bin", ole_package("contacts.csv", contacts))
        z.writestr("word/media/image1.emf", EMF)


def objects_rtf(workbook):
    witness = "Statement taken from Priya Sharma.\r\n".encode()  # P06, in an OLE 1.0 package
    excel = ole_office("Microsoft Excel Worksheet", "Excel.Sheet.12", workbook)
    with open(out("objects.rtf"), "w", newline="\n") as f:
        f.write("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\n\\f0 Two objects follow.\\par\n")
        f.write(rtf_object("Package", ole1("Package", packager("witness.txt", witness))))
        f.write("\\par\n")
        f.write(rtf_object("Excel.Sheet.12", ole1("Excel.Sheet.12", excel)))
        f.write("\\par\n}\n")


# --- LibreOffice ------------------------------------------------------------------------------

def office():
    import uno
    from com.sun.star.beans import PropertyValue

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    profile = tempfile.mkdtemp()
    proc = subprocess.Popen(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}/profile",
         "--accept=socket,host=127.0.0.1,port=2099;urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:socket,host=127.0.0.1,port=2099;urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return desktop, prop, proc, profile


def close(desktop, proc, profile):
    """Stops the LibreOffice that `office()` started, and removes its profile."""
    try:
        desktop.terminate()
    except Exception:
        pass
    proc.wait(timeout=60)
    shutil.rmtree(profile, ignore_errors=True)


def save(doc, prop, name, filter_name):
    doc.storeToURL("file://" + out(name), (prop("FilterName", filter_name),))


def writer_with_sheet(desktop, prop, text, cells):
    """A Writer document reading `text`, with a spreadsheet object whose `cells` are
    {(sheet, cell): value}; sheets other than the first are added."""
    doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (prop("Hidden", True),))
    cursor = doc.Text.createTextCursor()
    doc.Text.insertString(cursor, text, False)
    obj = doc.createInstance("com.sun.star.text.TextEmbeddedObject")
    obj.CLSID = CALC
    doc.Text.insertTextContent(cursor, obj, False)
    sheets = obj.getEmbeddedObject().Sheets
    for (sheet, cell), value in cells.items():
        if not sheets.hasByName(sheet):
            sheets.insertNewByName(sheet, sheets.Count)
        sheets.getByName(sheet).getCellRangeByName(cell).String = value
    return doc


def calc(desktop, prop, cells):
    """An XLSX workbook of `cells` {(sheet, cell): value}, made by Calc."""
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
    sheets = doc.Sheets
    for (sheet, cell), value in cells.items():
        if not sheets.hasByName(sheet):
            sheets.insertNewByName(sheet, sheets.Count)
        sheets.getByName(sheet).getCellRangeByName(cell).String = value
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "book.xlsx")
    doc.storeToURL("file://" + path, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    with open(path, "rb") as f:
        data = f.read()
    shutil.rmtree(tmp)
    return data


def chart_docx(workbook):
    """`chart.docx`: LibreOffice's DOCX with a chart (`chart-lo.docx`), given the chart workbook
    Word keeps beside a chart (`word/embeddings/Microsoft_Excel_Worksheet.xlsx`, named by the
    chart's `c:externalData`), which LibreOffice does not write."""
    rels = ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/package\" "
            "Target=\"../embeddings/Microsoft_Excel_Worksheet.xlsx\"/></Relationships>")
    with zipfile.ZipFile(out("chart-lo.docx")) as src, \
            zipfile.ZipFile(out("chart.docx"), "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/charts/chart1.xml":
                data = data.replace(b"</c:chartSpace>",
                                    b"<c:externalData r:id=\"rId1\"><c:autoUpdate val=\"0\"/></c:externalData></c:chartSpace>")
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b"<Default Extension=\"xlsx\" ContentType=\"application/"
                                    b"vnd.openxmlformats-officedocument.spreadsheetml.sheet\"/></Types>")
            dst.writestr(item, data)
        dst.writestr("word/charts/_rels/chart1.xml.rels", rels)
        dst.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook)


def libreoffice():
    desktop, prop, proc, profile = office()
    try:
        doc = writer_with_sheet(desktop, prop, "Quarterly figures are in the table below.", {
            ("Sheet1", "A1"): "Region",
            ("Sheet1", "B2"): "Jane Doe",  # P01, first sheet of the embedded spreadsheet
            ("Sheet2", "A7"): "Marcus Webb",  # P10, its second sheet
        })
        save(doc, prop, "report-lo.docx", "MS Word 2007 XML")
        save(doc, prop, "report-lo.odt", "writer8")
        doc.close(True)

        doc = writer_with_sheet(desktop, prop, "Case numbers by region.", {
            ("Sheet1", "A1"): "Region", ("Sheet1", "B1"): "Cases",
            ("Sheet1", "A2"): "Holly", ("Sheet1", "B2"): "Berries",  # not Holly Berry (P09)
        })
        save(doc, prop, "clean-lo.docx", "MS Word 2007 XML")
        save(doc, prop, "clean-lo.odt", "writer8")
        doc.close(True)

        # A presentation with a text document on its slide.
        doc = desktop.loadComponentFromURL("private:factory/simpress", "_blank", 0, (prop("Hidden", True),))
        page = doc.DrawPages.getByIndex(0)
        shape = doc.createInstance("com.sun.star.drawing.OLE2Shape")
        page.add(shape)
        shape.CLSID = WRITER
        shape.Model.Text.setString("Statement of Sofia Rossi, taken on Monday.")  # P11
        save(doc, prop, "slides-lo.pptx", "Impress MS PowerPoint 2007 XML")
        save(doc, prop, "slides-lo.odp", "impress8")
        doc.close(True)

        # A text document with a chart whose categories name a person.
        doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (prop("Hidden", True),))
        cursor = doc.Text.createTextCursor()
        doc.Text.insertString(cursor, "Visits this year.", False)
        obj = doc.createInstance("com.sun.star.text.TextEmbeddedObject")
        obj.CLSID = CHART
        doc.Text.insertTextContent(cursor, obj, False)
        obj.Width, obj.Height = 12000, 7000
        chart = obj.getEmbeddedObject()
        chart.setDiagram(chart.createInstance("com.sun.star.chart.BarDiagram"))
        data = chart.getData()
        data.setData(((3.0, 1.0, 2.0), (5.0, 2.0, 1.0), (4.0, 0.0, 3.0)))
        data.setRowDescriptions(("Grace Okoro", "North", "South"))  # P13, a chart category
        data.setColumnDescriptions(("Visits", "Calls", "Letters"))
        chart.attachData(data)
        save(doc, prop, "chart-lo.docx", "MS Word 2007 XML")
        save(doc, prop, "chart-lo.odt", "writer8")
        doc.close(True)

        # The workbook the RTF's Excel object holds, and the chart's workbook.
        workbook = calc(desktop, prop, {("Sheet1", "A1"): "Owen Price"})  # P07
        chart_data = calc(desktop, prop, {
            ("Sheet1", "B1"): "Visits", ("Sheet1", "A2"): "Grace Okoro", ("Sheet1", "B2"): "3",
            ("Sheet2", "A7"): "Liam Byrne",  # P14, a sheet the chart does not show
        })
        chart_docx(chart_data)

        # The DOCX with an OLE package, as LibreOffice keeps it in an ODT.
        package_docx()
        doc = desktop.loadComponentFromURL("file://" + out("package.docx"), "_blank", 0, (prop("Hidden", True),))
        save(doc, prop, "package-lo.odt", "writer8")
        # And as Word 97 (`package-lo.doc`): the object in the `ObjectPool` storage.
        save(doc, prop, "package-lo.doc", "MS Word 97")
        doc.close(True)
        return workbook
    finally:
        close(desktop, proc, profile)


def ole_shape(doc, page, clsid):
    """An OLE object of `clsid` added to the draw page `page` of `doc`: its model."""
    shape = doc.createInstance("com.sun.star.drawing.OLE2Shape")
    page.add(shape)
    shape.CLSID = clsid
    return shape.Model


def legacy_objects():
    """Objects embedded in Excel 97 and PowerPoint 97 files, as LibreOffice saves them: a text
    document and a spreadsheet on a sheet (`objects-lo.xls`: each in a storage `MBD...` of
    its own, the text document as a Word 97 document, the spreadsheet as an Excel 97
    workbook), on a slide (`objects-lo.ppt`: each a compound file compressed with zlib in
    an `ExOleObjStg` record), and in a text document (`report-lo.doc`: the spreadsheet in a
    storage of `ObjectPool`); and a control (`clean-lo.xls`)."""
    desktop, prop, proc, profile = office()
    try:
        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
        sheet = doc.Sheets.getByIndex(0)
        sheet.getCellRangeByName("A1").String = "Statements received this week."
        ole_shape(doc, sheet.DrawPage, WRITER).Text.setString(
            "Statement of Fatima Zahra, taken on Monday.")  # P15, a text document on a sheet
        ole_shape(doc, sheet.DrawPage, CALC).Sheets.getByIndex(0).getCellRangeByName("B2").String = \
            "Yusuf Demir"  # P16, a spreadsheet on a sheet
        save(doc, prop, "objects-lo.xls", "MS Excel 97")
        doc.close(True)

        doc = desktop.loadComponentFromURL("private:factory/simpress", "_blank", 0, (prop("Hidden", True),))
        page = doc.DrawPages.getByIndex(0)
        ole_shape(doc, page, CALC).Sheets.getByIndex(0).getCellRangeByName("B2").String = \
            "Nadia Kowalski"  # P17, a spreadsheet on a slide
        ole_shape(doc, page, WRITER).Text.setString("Notes by Hana Sato.")  # P18, a text document
        save(doc, prop, "objects-lo.ppt", "MS PowerPoint 97")
        doc.close(True)

        # A spreadsheet object in a text document, as Word 97 keeps it (`ObjectPool`, the
        # workbook's own streams in the object's storage).
        doc = writer_with_sheet(desktop, prop, "Quarterly figures are in the table below.", {
            ("Sheet1", "B2"): "Nadia Kowalski",  # P17
            ("Sheet2", "A7"): "Hana Sato",  # P18
        })
        save(doc, prop, "report-lo.doc", "MS Word 97")
        doc.close(True)

        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
        sheet = doc.Sheets.getByIndex(0)
        sheet.getCellRangeByName("A1").String = "Cases by region."
        cells = ole_shape(doc, sheet.DrawPage, CALC).Sheets.getByIndex(0)
        cells.getCellRangeByName("A2").String = "Holly"  # not Holly Berry (P09)
        cells.getCellRangeByName("B2").String = "Berries"
        save(doc, prop, "clean-lo.xls", "MS Excel 97")
        doc.close(True)
    finally:
        close(desktop, proc, profile)


if __name__ == "__main__":
    import sys
    # `legacy`: the Excel 97 and PowerPoint 97 files only.
    if sys.argv[1:] != ["legacy"]:
        workbook = libreoffice()
        objects_rtf(workbook)
    legacy_objects()
    print("fixtures written to", HERE)
