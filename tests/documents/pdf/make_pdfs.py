#!/usr/bin/env python3
"""Makes the PDF fixtures of tests/pdf_inside.rs with reportlab (pages, a form) and pypdf
(embedded files, annotations): `pip install reportlab pypdf`, then `python3 make_pdfs.py`.

Every protected person is fictitious (tests/documents/protected.csv); each place holds a
different one, so a finding says which place was read. The pages themselves name nobody.
"""
import io
import os

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Text
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, NameObject,
                           TextStringObject)
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))


def page(text, form=None):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawString(72, 760, text)
    if form:
        for i, (name, value) in enumerate(form):
            c.drawString(72, 700 - 40 * i, name)
            c.acroForm.textfield(name=name, value=value, x=200, y=690 - 40 * i, width=250, height=20)
    c.showPage()
    c.save()
    return buf.getvalue()


def save(writer, name):
    with open(os.path.join(HERE, name), "wb") as f:
        writer.write(f)


# Embedded files, a sticky note, a free-text box and a file-attachment annotation.
w = PdfWriter(clone_from=PdfReader(io.BytesIO(page("Case summary: see the attached export."))))
w.add_attachment("export.csv", b"id,name\r\n1,Ravi Patel\r\n")
w.add_annotation(0, Text(text="Check with Tomasz Nowak", rect=(50, 550, 200, 650)))
w.add_annotation(0, FreeText(text="Leila Haddad", rect=(300, 550, 500, 600)))
notes = DecodedStreamObject()
notes.set_data(b"Priya Sharma was interviewed.\n")
notes[NameObject("/Type")] = NameObject("/EmbeddedFile")
spec = DictionaryObject({
    NameObject("/Type"): NameObject("/Filespec"),
    NameObject("/F"): TextStringObject("notes.txt"),
    NameObject("/EF"): DictionaryObject({NameObject("/F"): w._add_object(notes)}),
})
w.add_annotation(0, DictionaryObject({
    NameObject("/Type"): NameObject("/Annot"),
    NameObject("/Subtype"): NameObject("/FileAttachment"),
    NameObject("/Rect"): ArrayObject([]),
    NameObject("/FS"): w._add_object(spec),
}))
save(w, "attachments-and-notes.pdf")

# A filled-in form: one field on the page, one (in the same form) never drawn.
w = PdfWriter(clone_from=PdfReader(io.BytesIO(page("Witness statement", [("Witness", "Amara Okafor")]))))
hidden = DictionaryObject({
    NameObject("/FT"): NameObject("/Tx"),
    NameObject("/T"): TextStringObject("Contact"),
    NameObject("/V"): TextStringObject("Owen Price"),
})
w._root_object["/AcroForm"]["/Fields"].append(w._add_object(hidden))
save(w, "form.pdf")

# Controls: a form whose fields are empty.
save(PdfWriter(clone_from=PdfReader(io.BytesIO(page("Witness statement", [("Witness", "")])))), "empty-form.pdf")
