#!/usr/bin/env python3
"""Regenerates the document fixtures in this folder with the producers people really use.

    pip install openpyxl python-docx python-pptx odfpy xlwt reportlab msoffcrypto-tool
    apt-get install libreoffice-calc libreoffice-writer libreoffice-impress   # optional
    python3 tests/documents/make_fixtures.py

Every person named here is fictitious and listed in protected.csv beside this script. Each
hidden place holds a different person, so a test can tell which place was read. LibreOffice
output (files ending in `-lo.*`) is made only when `soffice` is installed; the committed copies
stay otherwise.
"""

import gzip
import io
import os
import shutil
import struct
import subprocess
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(HERE, name)


def xlsx():
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append(["Name", "Status"])
    ws.append(["Jane Doe", "open"])  # P01, visible cell
    ws.append(["Webb", "Marcus"])  # P10, surname and forename in adjacent cells
    ws.append(["Holly", "Berries"])  # control: Holly Berry (P09) is not here
    ws.append(["call", 2079460991])  # P08's phone stored as a number (its 0 lost)
    ws.append(["Tomasz Nowak", "withdrawn"])  # P04, hidden row
    ws.row_dimensions[6].hidden = True
    ws["D2"] = "Leila Haddad"  # P05, hidden column
    ws.column_dimensions["D"].hidden = True
    ws["B2"].comment = Comment("Ask Priya Sharma first", "officer")  # P06, cell comment
    ws.oddFooter.center.text = "Prepared for Owen Price"  # P07, footer
    hidden = wb.create_sheet("Workforce")
    hidden.append(["id", "name"])
    hidden.append([1, "Ravi Patel"])  # P02, hidden sheet
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Archive")
    very.append(["Amara Okafor"])  # P03, very hidden sheet
    very.sheet_state = "veryHidden"
    wb.save(out("workbook.xlsx"))

    clean = openpyxl.Workbook()
    clean.active.append(["Region", "Cases", "Closed"])
    clean.active.append(["North", 12, 9])
    clean.active.append(["Holly", "Berries", "Wreath"])
    clean.save(out("clean.xlsx"))


def docx():
    import docx
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    d = docx.Document()
    d.core_properties.title = "Notes on Yusuf Demir"  # P16, title property
    d.add_paragraph("Statement taken from Sofia Rossi on Monday.")  # P11, body
    p = d.add_paragraph()
    for piece in ["Contact: Na", "dia Kowa", "lski"]:  # P17, split across runs
        r = p.add_run(piece)
        r.bold = piece.startswith("dia")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Chen"
    t.cell(0, 1).text = "Wei"  # P12, "Chen | Wei" read as one name (surname first)
    d.sections[0].header.paragraphs[0].text = "Case of Grace Okoro"  # P13, header
    d.sections[0].footer.paragraphs[0].text = "Copy for Liam Byrne"  # P14, footer
    hp = d.add_paragraph("Visible text. ")
    hr = hp.add_run("Fatima Zahra")  # P15, hidden text
    hr.font.hidden = True
    cp = d.add_paragraph("Reviewed.")
    d.add_comment(cp.runs, text="Check with Hana Sato", author="officer")  # P18, comment
    # A tracked deletion, as Word writes it.
    dp = d.add_paragraph("Witness: ")
    dele = OxmlElement("w:del")
    dele.set(qn("w:id"), "1")
    dele.set(qn("w:author"), "officer")
    run = OxmlElement("w:r")
    dt = OxmlElement("w:delText")
    dt.text = "Pablo Ortega"  # P19, tracked deletion
    run.append(dt)
    dele.append(run)
    dp._p.append(dele)
    d.save(out("document.docx"))


def pptx():
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s = prs.slides.add_slide(prs.slide_layouts[5])
    s.shapes.title.text = "Briefing"
    box = s.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = "Victim liaison: Ines Moreau"  # P20, slide
    s.notes_slide.notes_text_frame.text = "Do not mention Kofi Mensah"  # P21, speaker notes
    prs.save(out("slides.pptx"))


def odf():
    from odf.opendocument import OpenDocumentText, OpenDocumentSpreadsheet
    from odf.table import Table, TableRow, TableCell
    from odf.text import P

    t = OpenDocumentText()
    t.text.addElement(P(text="Interview with Mei Lin arranged."))  # P22, ODT body
    t.save(out("letter.odt"))

    s = OpenDocumentSpreadsheet()
    table = Table(name="Contacts")
    row = TableRow()
    for value in ["Brandt", "Lukas"]:  # P23, surname and forename in adjacent cells
        c = TableCell()
        c.addElement(P(text=value))
        row.addElement(c)
    table.addElement(row)
    s.spreadsheet.addElement(table)
    s.save(out("contacts.ods"))


def xls():
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Visible")
    ws.write(0, 0, "Omar Farouk")  # P24, XLS cell
    hidden = wb.add_sheet("Hidden")
    hidden.write(3, 1, "Rosa Diaz")  # P25, XLS hidden sheet
    hidden.visibility = 1
    wb.save(out("legacy.xls"))


def pdf():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(out("report.pdf"), pagesize=A4)
    c.setTitle("Report about Ivan Petrenko")  # P26, document information
    c.drawString(72, 800, "Page one has no names.")
    c.showPage()
    c.drawString(72, 800, "Page two: Anna Kowalczyk gave a statement.")  # P27, page 2
    c.save()

    c = canvas.Canvas(out("encrypted.pdf"), pagesize=A4, encrypt="secret")
    c.drawString(72, 800, "Jane Doe")
    c.save()


def archives():
    with open(out("workbook.xlsx"), "rb") as f:
        xlsx_bytes = f.read()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/victims.csv", "id,name\n1,Jonas Berg\n")  # P28, CSV in a ZIP
        z.writestr("export/Statement of Eleni Pappas.txt", "see attached")  # P29, member name
    inner = buf.getvalue()
    with open(out("export.zip"), "wb") as f:
        f.write(inner)
    with zipfile.ZipFile(out("nested.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("outer/inner.zip", inner)  # a ZIP inside a ZIP
        z.writestr("outer/data.xlsx", xlsx_bytes)  # a workbook inside a ZIP
    with open(out("victims.csv.gz"), "wb") as f:
        f.write(gzip.compress(b"name\nNoah Fischer\n", mtime=0))  # P30, gzip

    # An encrypted member: the traditional PKWARE flag on a stored entry, as `zip -e` writes.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("secret.csv", "x" * 32)
    data = bytearray(buf.getvalue())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        (flags,) = struct.unpack_from("<H", data, at + flag_at)
        struct.pack_into("<H", data, at + flag_at, flags | 1)
    with open(out("encrypted.zip"), "wb") as f:
        f.write(bytes(data))


def encrypted_ooxml():
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(out("clean.xlsx"), "rb") as src, open(out("encrypted.xlsx"), "wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)


def rtf():
    with open(out("memo.rtf"), "wb") as f:
        f.write(
            b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}"
            b"{\\info{\\title Memo for Sean Murphy}}"  # P31, RTF document information
            b"\\f0 Witness: Zo\\'eb Martin\\par "  # P32, cp1252 escape
            b"Hidden: {\\v Karin Larsen}\\par "  # P33, hidden text
            b"}"
        )


def libreoffice():
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found: LibreOffice fixtures left as they are")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for src, fmt, name in [
            ("document.docx", "pdf", "document-lo.pdf"),
            ("document.docx", "odt", "document-lo.odt"),
            ("document.docx", "rtf", "document-lo.rtf"),
            ("workbook.xlsx", "ods", "workbook-lo.ods"),
            ("workbook.xlsx", "xlsx", "workbook-lo.xlsx"),
            ("slides.pptx", "odp", "slides-lo.odp"),
        ]:
            subprocess.run(
                [soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                 "--convert-to", fmt, "--outdir", tmp, out(src)],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            produced = os.path.join(tmp, os.path.splitext(src)[0] + "." + fmt)
            shutil.move(produced, out(name))


if __name__ == "__main__":
    xlsx()
    docx()
    pptx()
    odf()
    xls()
    pdf()
    archives()
    encrypted_ooxml()
    rtf()
    libreoffice()
    print("fixtures written to", HERE)
