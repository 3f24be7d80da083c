#!/usr/bin/env python3
"""Regenerates the legacy Office fixtures in this folder (Word 97 `.doc`, PowerPoint 97 `.ppt`,
Excel 97 `.xls`) with the producer people really use for them today, LibreOffice:

    apt-get install -y libreoffice-core-nogui libreoffice-writer-nogui \
        libreoffice-calc-nogui libreoffice-impress-nogui
    python3 tests/documents/legacy/make_legacy.py              # all of them
    python3 tests/documents/legacy/make_legacy.py styles.doc   # those named only

The sources are OpenDocument flat XML (`.fodt`, `.fods`, `.fodp`) written here by hand (no
Python package needed), converted with `soffice --headless --convert-to`; `book95.xls` is
`book.xls` saved as Excel 95 (BIFF5) by Gnumeric's `ssconvert` (`apt-get install -y gnumeric`),
since LibreOffice no longer writes Excel 95 (Gnumeric keeps its cell note in UTF-16, which
LibreOffice does not show; Excel 95 files keep 8-bit notes). Every person named
is fictitious and listed in protected.csv beside this script; each place holds a different
person, so a test can tell which place was read. The `clean-*` files are controls that name
nobody.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0" '
    'office:version="1.3"'
)


def document(title, body, styles="", master="", common=""):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{title}</dc:title></office:meta>
<office:styles>{common}</office:styles>
<office:automatic-styles>
 <style:style style:name="Hid" style:family="text"><style:text-properties text:display="none"/></style:style>
 <style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:page-layout style:name="pm1"/>
 {styles}
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">{master}</style:master-page>
</office:master-styles>
<office:body><office:text>{body}</office:text></office:body>
</office:document>
"""


def report_fodt():
    body = """
<text:tracked-changes>
 <text:changed-region text:id="ct1"><text:deletion>
  <office:change-info><dc:creator>officer</dc:creator><dc:date>2024-01-01T00:00:00</dc:date></office:change-info>
  <text:p>Hiro Tanaka</text:p>
 </text:deletion></text:changed-region>
</text:tracked-changes>
<text:p>Statement taken from Aisha Bello on Monday.</text:p>
<text:p>Contact: Ta<text:span text:style-name="B">mar Co</text:span>hen</text:p>
<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Moreno</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Diego</text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Holly</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>Berries</text:p></table:table-cell>
 </table:table-row>
</table:table>
<text:p>Seen by Dmitri<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Footnote: Dmitri Ivanov confirmed.</text:p></text:note-body></text:note>
 and noted<text:note text:id="n2" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>Endnote: Erin Walsh signed.</text:p></text:note-body></text:note>.</text:p>
<text:p>Reviewed.<office:annotation><dc:creator>officer</dc:creator><dc:date>2024-01-01T00:00:00</dc:date><text:p>Ask Farah Khan first</text:p></office:annotation></text:p>
<text:p>Visible text. <text:span text:style-name="Hid">Gustav Lind</text:span></text:p>
<text:p>Witness: <text:change text:change-id="ct1"/> (withdrawn).</text:p>
<text:p>Polish colleague: Łukasz Wróbel.</text:p>
<text:p>See the box.<draw:frame draw:name="Box" text:anchor-type="paragraph" svg:width="6cm" svg:height="2cm"><draw:text-box><text:p>Box for Wanda Ross</text:p></draw:text-box></draw:frame></text:p>
"""
    master = """
<style:header><text:p>Case of Bruno Silva</text:p></style:header>
<style:footer><text:p>Copy for Chloe Martin</text:p></style:footer>
"""
    return document("Notes on Ingrid Olsen", body, master=master)


def styles_fodt():
    """Text hidden through named styles, which Word 97 keeps in its style sheet: a character
    style, one based on it, and a paragraph style; a span in that paragraph shown again by
    its own properties."""
    common = """
 <style:style style:name="Secret" style:family="text"><style:text-properties text:display="none"/></style:style>
 <style:style style:name="Inherited" style:family="text" style:parent-style-name="Secret"><style:text-properties fo:font-style="italic"/></style:style>
 <style:style style:name="Concealed" style:family="paragraph"><style:text-properties text:display="none"/></style:style>
"""
    styles = """
 <style:style style:name="Shown" style:family="text"><style:text-properties text:display="true"/></style:style>
"""
    body = """
<text:p>Visible: Pia Keller.</text:p>
<text:p>Styled: <text:span text:style-name="Secret">Rafael Costa</text:span></text:p>
<text:p>Inherited: <text:span text:style-name="Inherited">Selin Aydin</text:span></text:p>
<text:p text:style-name="Concealed">Concealed paragraph about Tomas Varga</text:p>
<text:p text:style-name="Concealed"><text:span text:style-name="Shown">Shown again: Yara Haddad</text:span></text:p>
"""
    return document("Styles", body, styles=styles, common=common)


def clean_fodt():
    body = """
<text:p>Minutes of the meeting on Monday.</text:p>
<text:p>Holly Berries and a wreath were bought.</text:p>
<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Region</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>North</text:p></table:table-cell>
 </table:table-row>
</table:table>
"""
    return document("Minutes", body, master="<style:header><text:p>Minutes</text:p></style:header>")


def spreadsheet(tables, title, styles=""):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:meta><dc:title>{title}</dc:title></office:meta>
<office:automatic-styles>
 <style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
 <style:style style:name="taH" style:family="table"><style:table-properties table:display="false"/></style:style>
 <style:style style:name="roH" style:family="table-row"><style:table-row-properties fo:break-before="auto"/></style:style>
 {styles}
</office:automatic-styles>
<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>
</office:document>
"""


def cell(text, note=None):
    annotation = ""
    if note:
        annotation = (
            "<office:annotation><dc:creator>officer</dc:creator>"
            f"<dc:date>2024-01-01T00:00:00</dc:date><text:p>{note}</text:p></office:annotation>"
        )
    return f'<table:table-cell office:value-type="string">{annotation}<text:p>{text}</text:p></table:table-cell>'


def book_fods():
    summary = f"""
<table:table table:name="Summary" table:style-name="ta1">
 <table:table-column table:number-columns-repeated="3"/>
 <table:table-column table:visibility="collapse"/>
 <table:table-row>{cell("Name")}{cell("Status")}</table:table-row>
 <table:table-row>{cell("Pedro Alves")}{cell("open", note="Ask Sven Dahl first")}<table:table-cell/>{cell("Rania Aziz")}</table:table-row>
 <table:table-row table:visibility="collapse">{cell("Quinn Harper")}{cell("withdrawn")}</table:table-row>
 <table:table-row>{cell("Holly")}{cell("Berries")}</table:table-row>
</table:table>
<table:table table:name="Staff" table:style-name="taH">
 <table:table-row>{cell("id")}{cell("name")}</table:table-row>
 <table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>{cell("Tariq Nasser")}</table:table-row>
</table:table>
"""
    return spreadsheet(summary, "Roster kept by Uma Patel")


def clean_fods():
    t = f"""
<table:table table:name="Cases" table:style-name="ta1">
 <table:table-row>{cell("Region")}{cell("Cases", note="Counted on Monday")}</table:table-row>
 <table:table-row table:visibility="collapse">{cell("North")}{cell("Holly Berries")}</table:table-row>
</table:table>
"""
    return spreadsheet(t, "Cases")


def presentation(pages):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:automatic-styles>
 <style:style style:name="dpH" style:family="drawing-page"><style:drawing-page-properties presentation:visibility="hidden"/></style:style>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Default"/>
</office:master-styles>
<office:body><office:presentation>{pages}</office:presentation></office:body>
</office:document>
"""


def page(name, text, notes, hidden=False):
    style = ' draw:style-name="dpH"' if hidden else ""
    return f"""
<draw:page draw:name="{name}" draw:master-page-name="Default"{style}>
 <draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>{text}</text:p></draw:text-box></draw:frame>
 <presentation:notes><draw:frame presentation:class="notes" svg:x="2cm" svg:y="14cm" svg:width="17cm" svg:height="10cm"><draw:text-box><text:p>{notes}</text:p></draw:text-box></draw:frame></presentation:notes>
</draw:page>
"""


def slides_fodp():
    return presentation(
        page("one", "Victim liaison: Kasia Nowak", "Do not mention Liam Foster")
        + page("two", "Second visit with Maya Singh", "Call Nikos Stavros after")
        + page("three", "Hidden slide about Olu Adeyemi", "Nothing here", hidden=True)
    )


def clean_fodp():
    return presentation(page("one", "Quarterly figures", "Holly Berries on the table"))


PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="GenerateThumbnail" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def main():
    soffice = shutil.which("soffice")
    if not soffice:
        raise SystemExit("soffice not found: install LibreOffice (see the top of this script)")
    sources = [
        ("report.fodt", report_fodt(), "doc", "report.doc"),
        ("clean.fodt", clean_fodt(), "doc", "clean.doc"),
        ("styles.fodt", styles_fodt(), "doc", "styles.doc"),
        ("book.fods", book_fods(), "xls", "book.xls"),
        ("clean.fods", clean_fods(), "xls", "clean.xls"),
        ("slides.fodp", slides_fodp(), "ppt", "slides.ppt"),
        ("clean.fodp", clean_fodp(), "ppt", "clean.ppt"),
    ]
    # Names given on the command line: those fixtures only (`styles.doc`).
    if sys.argv[1:]:
        sources = [s for s in sources if s[3] in sys.argv[1:]]
    with tempfile.TemporaryDirectory() as tmp:
        # No preview picture in the files (it would make each presentation 450 KB).
        os.makedirs(os.path.join(tmp, "profile", "user"))
        with open(os.path.join(tmp, "profile", "user", "registrymodifications.xcu"), "w") as f:
            f.write(PROFILE)
        for src, xml, fmt, name in sources:
            path = os.path.join(tmp, src)
            with open(path, "w", encoding="utf-8") as f:
                f.write(xml)
            subprocess.run(
                [soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                 "--convert-to", fmt, "--outdir", tmp, path],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            produced = os.path.join(tmp, os.path.splitext(src)[0] + "." + fmt)
            shutil.move(produced, os.path.join(HERE, name))
    # Excel 95 (BIFF5, a `Book` stream), which LibreOffice no longer writes: Gnumeric's
    # converter makes it of LibreOffice's book.xls (apt-get install gnumeric).
    if not sys.argv[1:] or "book95.xls" in sys.argv[1:]:
        subprocess.run(
            ["ssconvert", "--export-type=Gnumeric_Excel:excel_biff7",
             os.path.join(HERE, "book.xls"), os.path.join(HERE, "book95.xls")],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    print("fixtures written to", HERE)


if __name__ == "__main__":
    main()
