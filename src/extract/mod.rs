//! Text from inside documents and archives: spreadsheets, word-processing documents,
//! presentations, PDF, RTF, compound files, archives (ZIP, tar, 7z) and compressed files (gzip,
//! bzip2, xz), recognised by their content, never by
//! label or name.
//!
//! Every reader turns what it finds into the same [`Segment`](crate::model::Segment)s the rest
//! of the scanner consumes: a spreadsheet row is one segment (its cells joined by ` | `, each
//! cell a [`Mark`](crate::model::Mark)), a paragraph or table row of a document is one, a PDF
//! page is one. Nothing downstream of the segment callback knows a document format exists.
//!
//! All readers of one message share one budget of inflated and extracted bytes
//! (`max_extracted_bytes`), counted as bytes come out of a decompressor, never from the sizes
//! an archive declares. Untrusted nesting (archives in archives, XML elements) is followed with
//! explicit depth counters and heap stacks, never unbounded recursion.
//!
//! The files depend one way, top to bottom:
//!
//! - this file: dispatch. What a document, archive member or compound file is
//!   ([`sniff`](mod@sniff)), and which reader reads it; nested documents come back here.
//!   `outlook.rs` is dispatch too: the messages of TNEF streams and `.msg` files, whose
//!   attachments come back here. `image.rs` is dispatch too: images (attachments, archive
//!   members, the media of OOXML and OpenDocument packages) handed to OCR (`crate::ocr`).
//! - readers, one a family: `ooxml`, `odf`, `pdf`, `rtf`, `cfb`, and for Outlook `tnef`,
//!   `msg` (through `cfb`'s directory) and `lzfu` (compressed RTF); `pst` (Outlook data files,
//!   for `crate::sources`: their messages written out by the helper `internet`). None reads another's
//!   format, and none calls back into dispatch: a reader that finds documents inside its own
//!   (objects embedded in an OOXML or ODF package, an RTF document, a PDF or a PowerPoint 97
//!   presentation, attachments of a message) returns them, and dispatch reads each as an attachment of its document
//!   (`embedded 1 oleObject1.xlsx > Sheet2!A7`).
//! - helpers: `zip`, `tar` and `sevenz` (archives opened and handed out member by member),
//!   `ole` (the wrappers of embedded objects: OLE 1.0 objects of RTF, OLE packages),
//!   `stream` (gzip, bzip2 and xz: the one file inside), `xml`,
//!   `flow` (flowing text of XML documents), `row` (spreadsheet rows), `meter` (readers
//!   charged to the budget), `extractor` (the state one attachment's reading shares, and how
//!   text is handed to the scanner), `sniff` (recognition only), `mapi` (the MAPI property
//!   model of an Outlook message, whatever its container).

mod biff;
mod cfb;
mod doc;
mod extractor;
mod flow;
#[cfg(feature = "ocr")]
mod image;
#[cfg(feature = "sources")]
mod internet;
mod le;
mod lzfu;
mod mapi;
mod meter;
mod msg;
mod odf;
mod ole;
mod ooxml;
mod outlook;
mod pdf;
mod ppt;
#[cfg(feature = "sources")]
pub(crate) mod pst;
mod row;
mod rtf;
mod sevenz;
mod sniff;
mod stream;
mod strings;
mod summary;
mod tar;
mod tnef;
mod xml;
mod zip;

use std::io::Read;

pub(crate) use extractor::{Extractor, Found};
use meter::Metered;
pub(crate) use sniff::{is_media, sniff, Format};
use sniff::{Compound, Member, Package};

use crate::model::Limit;

/// Size of the pieces a long text member is scanned in.
const TEXT_CHUNK: usize = 1 << 20;

/// How many bytes one piece of binary content shares with the next, for runs of text that
/// cross the cut (a run longer than this may be read in two parts).
const RUN_OVERLAP: usize = 4096;

/// How many bytes of a member are read to tell what it is.
const HEAD: u64 = 8192;

impl Extractor<'_> {
    /// Reads a document or archive of `format` found at nesting `depth`.
    pub(crate) fn document(&mut self, format: Format, bytes: &[u8], depth: usize) {
        if self.too_deep(depth) {
            return;
        }
        if self.budget.exhausted() {
            return;
        }
        // A reader that panics (a dependency's bug on a malformed file) costs that document,
        // never the scan, and prints nothing: the report names the reader at work when it
        // panicked and where.
        let (reader, prefix) = (self.reader().to_string(), self.prefix_len());
        let read = crate::panics::guarded(|| {
            self.as_reader(format.reader(), |x| match format {
                Format::Zip => x.zip(bytes, depth),
                Format::Gzip => x.stream(stream::Codec::Gzip, bytes, depth),
                Format::Bzip2 => x.stream(stream::Codec::Bzip2, bytes, depth),
                Format::Xz => x.stream(stream::Codec::Xz, bytes, depth),
                Format::Tar => x.tar(&mut &bytes[..], depth),
                Format::SevenZ => x.sevenz(bytes, depth),
                Format::Rar => x.unreadable("RAR archives are not read"),
                Format::Pdf => {
                    for file in pdf::read(x, bytes) {
                        if x.budget.exhausted() {
                            break;
                        }
                        let step = format!("embedded file {}", file.name);
                        x.emit_member_name(&file.name);
                        x.stored(&step, &file.bytes, depth);
                    }
                }
                Format::Rtf => x.rtf(bytes, depth),
                Format::Cfb => x.compound(bytes, depth),
                Format::Tnef => x.tnef(bytes, depth),
            })
        });
        if let Err(caught) = read {
            // The reader and the place inside the attachment are still those at the panic.
            let at = if caught.place.is_empty() { String::new() } else { format!(" at {}", caught.place) };
            let gave_up = format!("{}{at}", self.reader());
            self.restore_reader(gave_up);
            self.unreadable("its reader failed");
            self.restore_reader(reader);
            self.truncate_prefix(prefix);
        }
        if self.budget.exhausted() && !self.has_incomplete(Limit::MaxExtractedBytes) {
            self.incomplete(
                Limit::MaxExtractedBytes,
                format!(
                    "what documents and archives hold past the first {} inflated and extracted was not scanned",
                    size(self.limits.max_extracted_bytes)
                ),
            );
        }
    }

    /// Whether a document at nesting `depth` is deeper than the policy allows (the limit is
    /// then noted).
    fn too_deep(&mut self, depth: usize) -> bool {
        if depth <= self.limits.max_depth {
            return false;
        }
        self.incomplete(
            Limit::MaxDepth,
            format!("documents and archives nested deeper than {} were not scanned", self.limits.max_depth),
        );
        true
    }

    /// A ZIP archive: a document stored as one (OOXML, OpenDocument), or files.
    fn zip(&mut self, bytes: &[u8], depth: usize) {
        match zip::open(bytes, self.limits.max_archive_entries) {
            zip::Opened::Directory(mut archive) => match sniff::package(|n| zip::has(&archive, n)) {
                Package::Ooxml => {
                    // Objects embedded in the document (a workbook inside a DOCX) are read as
                    // its attachments: `embedded 1 oleObject1.xlsx > Sheet2!A7`.
                    let embedded = self.as_reader("ooxml: document", |x| ooxml::read(x, &mut archive));
                    for (i, name) in embedded.iter().enumerate() {
                        if !self.next_embedded(i) {
                            break;
                        }
                        let shown = name.rsplit('/').next().unwrap_or(name);
                        self.embedded_member(
                            &mut archive,
                            bytes,
                            name,
                            &format!("embedded {} {shown}", i + 1),
                            depth,
                        );
                    }
                    #[cfg(feature = "ocr")]
                    self.package_images(&mut archive, &["word/media/", "xl/media/", "ppt/media/"], depth);
                }
                Package::OpenDocument => {
                    self.as_reader("odf: document", |x| x.odf(&mut archive, bytes, "", depth));
                    #[cfg(feature = "ocr")]
                    self.package_images(&mut archive, &["Pictures/"], depth);
                }
                Package::Archive => {
                    let (budget, mut n) = (self.budget, 0);
                    zip::each_entry(&mut archive, bytes, budget, &mut |name, entry| {
                        n += 1;
                        self.as_reader(format!("zip: member {n}"), |x| x.entry(name, entry, depth))
                    });
                }
            },
            zip::Opened::Streamed { damaged } => {
                let (budget, max, mut n) = (self.budget, self.limits.max_archive_entries, 0);
                let read = zip::each_streamed(bytes, budget, max, &mut |name, entry| {
                    n += 1;
                    self.as_reader(format!("zip: member {n}"), |x| x.entry(name, entry, depth))
                });
                if read.cut {
                    self.too_many_entries();
                }
                if damaged && read.entries == 0 {
                    self.unreadable("not a readable ZIP archive");
                }
            }
        }
    }

    /// Whether the `i`th (from 0) object embedded in the current document is read: not when
    /// the budget has run out, nor past `max_archive_entries` (the limit is then noted).
    fn next_embedded(&mut self, i: usize) -> bool {
        if self.budget.exhausted() {
            return false;
        }
        if i == self.limits.max_archive_entries {
            self.too_many_entries();
            return false;
        }
        true
    }

    /// The member `name` of the document `archive` (whose bytes are `bytes`), embedded in it:
    /// its name, then its content read at `step` (`embedded 1 oleObject1.bin`).
    fn embedded_member(
        &mut self,
        archive: &mut zip::Archive<'_>,
        bytes: &[u8],
        name: &str,
        step: &str,
        depth: usize,
    ) {
        self.emit_member_name(name.rsplit('/').next().unwrap_or(name));
        if let Some(data) = zip::stored(archive, bytes, name) {
            self.stored(step, data, depth);
        } else if let Some(mut input) = zip::by_name(archive, name) {
            self.member(step, &mut input, depth);
        }
    }

    /// The OpenDocument in `archive` (whose bytes are `bytes`): the package itself (`dir`
    /// empty) or the sub-document in folder `dir`, then the objects it embeds, each read as
    /// an attachment of it (`embedded 1 Object 1 > Sheet2!A7`).
    fn odf(&mut self, archive: &mut zip::Archive<'_>, bytes: &[u8], dir: &str, depth: usize) {
        let objects = odf::read(self, archive, dir);
        for (i, object) in objects.iter().enumerate() {
            if !self.next_embedded(i) {
                return;
            }
            let step = format!("embedded {} {}", i + 1, object.name());
            match object {
                odf::Object::Document(sub) => {
                    self.emit_member_name(object.name());
                    self.inside(&step, |x| {
                        if !x.too_deep(depth + 1) {
                            x.odf(archive, bytes, sub, depth + 1);
                        }
                    });
                }
                odf::Object::File(name) => self.embedded_member(archive, bytes, name, &step, depth),
            }
        }
    }

    /// An RTF document, then the objects embedded in it (`\object`), each read as an
    /// attachment of it: `embedded 1 Package > victims.csv`, `embedded 2 Excel.Sheet.12 >
    /// Sheet1!A1`.
    fn rtf(&mut self, bytes: &[u8], depth: usize) {
        let objects = rtf::read(self, bytes, self.limits.max_archive_entries);
        for (i, data) in objects.data.iter().enumerate() {
            if !self.next_embedded(i) {
                return;
            }
            match ole::ole1(data) {
                Some(object) => {
                    let step = format!("embedded {} {}", i + 1, object.class);
                    // `Package` objects hold the Packager's data; others, their application's.
                    self.inside(&step, |x| match ole::package(object.native) {
                        Some(payload) => x.payload(payload, depth),
                        None => x.unnamed(object.native, depth),
                    });
                }
                // Not an OLE 1.0 object: its bytes, as they are.
                None => self.inside(&format!("embedded {}", i + 1), |x| x.unnamed(data, depth)),
            }
        }
        if objects.cut {
            self.too_many_entries();
        }
    }

    /// The file an embedded object holds: read as a member called by its name when it has one,
    /// else where the object stands.
    fn payload(&mut self, payload: ole::Payload<'_>, depth: usize) {
        match payload.name {
            Some(name) => {
                self.emit_member_name(&name);
                self.stored(&name, payload.data, depth);
            }
            None => self.unnamed(payload.data, depth),
        }
    }

    /// Content without a name of its own (an embedded object's native data): a document is
    /// read one level deeper, anything else for its runs of text.
    fn unnamed(&mut self, data: &[u8], depth: usize) {
        match sniff::sniff(&data[..data.len().min(HEAD as usize)]) {
            Some(format) => {
                let granted = self.budget.take(data.len() as u64) as usize;
                self.document(format, &data[..granted.min(data.len())], depth + 1);
            }
            None => self.binary(data),
        }
    }

    /// One entry of an archive: its name, then its content.
    fn entry(&mut self, name: &str, entry: zip::Entry<'_>, depth: usize) {
        self.emit_member_name(name);
        match entry {
            zip::Entry::Dir => {}
            zip::Entry::Encrypted => self.inside(name, |x| x.encrypted("the archive member")),
            zip::Entry::Damaged(why) => self.inside(name, |x| x.unreadable(why)),
            zip::Entry::File(input) => self.member(name, input, depth),
            zip::Entry::Stored(data) => self.stored(name, data, depth),
        }
    }

    /// A member whose bytes are in memory as they are (stored in an archive, embedded in a
    /// PDF): a document is read where it lies (charged to the budget, cut where the budget
    /// ends), anything else as any member is.
    fn stored(&mut self, name: &str, data: &[u8], depth: usize) {
        let head = &data[..data.len().min(HEAD as usize)];
        match sniff::member(name, head) {
            Member::Document(format) => {
                let granted = self.budget.take(data.len() as u64) as usize;
                let data = &data[..granted.min(data.len())];
                self.inside(name, |x| x.document(format, data, depth + 1));
            }
            _ => self.member(name, &mut &data[..], depth),
        }
    }

    /// A compressed stream (gzip, bzip2, xz): the file inside, read as an archive member.
    fn stream(&mut self, codec: stream::Codec, bytes: &[u8], depth: usize) {
        let outer = self.current_name().map(str::to_string);
        let (name, mut input) = stream::open(codec, bytes, outer.as_deref(), self.budget.left());
        self.member(&name, &mut input, depth);
    }

    /// A tar archive, its entries read as they stream from `input`.
    fn tar(&mut self, input: &mut dyn Read, depth: usize) {
        let mut input = Metered { inner: input, budget: self.budget };
        let (max, mut n) = (self.limits.max_archive_entries, 0);
        let read = tar::each_entry(&mut input, max, &mut |name, entry| {
            self.emit_member_name(name);
            n += 1;
            if let Some(content) = entry {
                self.as_reader(format!("tar: member {n}"), |x| x.member(name, content, depth));
            }
        });
        if read.cut {
            self.too_many_entries();
        }
        if read.damaged && read.entries == 0 {
            self.unreadable("not a readable tar archive");
        }
    }

    /// A 7z archive, its entries read in order.
    fn sevenz(&mut self, bytes: &[u8], depth: usize) {
        let (budget, max) = (self.budget, self.limits.max_archive_entries);
        let memory = budget.left().min(stream::MAX_DECODER_MEMORY);
        let mut n = 0;
        let read = sevenz::each_entry(bytes, budget, max, memory, &mut |name, entry| {
            self.emit_member_name(name);
            n += 1;
            if let Some(content) = entry {
                self.as_reader(format!("7z: member {n}"), |x| x.member(name, content, depth));
            }
        });
        match read {
            sevenz::Read7z::Read { cut: true, .. } => self.too_many_entries(),
            sevenz::Read7z::Read { .. } => {}
            sevenz::Read7z::Encrypted => self.encrypted("the archive"),
            sevenz::Read7z::Damaged(why) => self.unreadable(&why),
        }
    }

    /// Notes that the current archive has more entries than the policy allows.
    fn too_many_entries(&mut self) {
        let detail = format!(
            "{} holds more than {} entries; the others were not scanned",
            self.where_(),
            self.limits.max_archive_entries
        );
        self.incomplete(Limit::MaxArchiveEntries, detail);
    }

    /// A compound file: an encrypted Office document, a legacy workbook, an Outlook message,
    /// a Word document or PowerPoint presentation (their text and properties), or other,
    /// whose text runs are read. One whose structure is damaged, or a Word or PowerPoint file
    /// those readers do not understand, is read for its text runs too.
    fn compound(&mut self, bytes: &[u8], depth: usize) {
        let Some(mut file) = cfb::open(bytes) else {
            return self.as_reader("cfb: text runs", |x| cfb::text_runs(x, bytes));
        };
        self.compound_file(&mut file, Some(bytes), depth);
    }

    /// The compound file `file` as it sees its root (the file, whose bytes are `bytes`, or an
    /// OLE object kept as one of its storages, `bytes` then `None`), read as
    /// [`Self::compound`] says. What no reader understands is read for its text runs: the
    /// file's bytes, or the streams of the storage.
    fn compound_file(&mut self, file: &mut cfb::Compound<'_>, bytes: Option<&[u8]>, depth: usize) {
        let runs = |x: &mut Self, file: &mut cfb::Compound<'_>| {
            x.as_reader("cfb: text runs", |x| match bytes {
                Some(bytes) => cfb::text_runs(x, bytes),
                None => cfb::stream_runs(x, file),
            })
        };
        match sniff::compound(|name| file.has_stream(name)) {
            Compound::Encrypted => self.encrypted("the document"),
            Compound::Workbook(stream) => {
                if self.as_reader("xls: workbook", |x| cfb::workbook(x, file, stream)) {
                    summary::read(self, file);
                    // Objects embedded in the workbook: one storage each, `MBD` and a number.
                    let storages = file.storages_in("/", "MBD");
                    self.pooled_objects(file, &storages, "xls: embedded object", depth);
                } else {
                    runs(self, file);
                }
            }
            Compound::Message => self.as_reader("msg: message", |x| x.msg(file, depth)),
            Compound::Word => match self.as_reader("doc: document", |x| doc::read(x, file)) {
                cfb::Outcome::Read => {
                    summary::read(self, file);
                    // Objects embedded in the document: one storage each in `ObjectPool`.
                    let storages = file.storages_in("/ObjectPool", "");
                    self.pooled_objects(file, &storages, "doc: embedded object", depth);
                }
                cfb::Outcome::Encrypted => {}
                cfb::Outcome::Unread => runs(self, file),
            },
            Compound::Presentation => {
                let (read, objects) = self.as_reader("ppt: presentation", |x| ppt::read(x, file));
                match read {
                    cfb::Outcome::Read => {
                        summary::read(self, file);
                        // Objects embedded in the presentation, each a compound file kept in a
                        // record (compressed or not).
                        for (i, object) in objects.iter().enumerate() {
                            if !self.next_embedded(i) {
                                break;
                            }
                            let step = format!("embedded {}", i + 1);
                            self.as_reader("ppt: embedded object", |x| match object {
                                ppt::Object::Stored(data) => x.stored(&step, data, depth + 1),
                                ppt::Object::Compressed(data) => {
                                    x.member(&step, &mut stream::zlib(data), depth + 1)
                                }
                            });
                        }
                    }
                    cfb::Outcome::Encrypted => {}
                    cfb::Outcome::Unread => runs(self, file),
                }
            }
            // An embedded object: an OLE package (a file with its name), or another
            // application's document (an OOXML package, a PDF...). A `CONTENTS` stream that
            // holds no document is some application's own data (a Publisher file has one):
            // the whole file (or storage) is read for its text runs, as any other compound file.
            Compound::Object => {
                if !self.as_reader("ole: object", |x| x.ole_object(file, "", depth)) {
                    runs(self, file);
                }
            }
            Compound::Other => runs(self, file),
        }
    }

    /// The OLE objects a legacy Office file keeps in the storages `storages` of `file` (a
    /// Word document's `ObjectPool`, a workbook's `MBD` storages), each read as an attachment
    /// of the file, `embedded 1 > Sheet1!B2`, by `reader`; at most `max_archive_entries`.
    fn pooled_objects(
        &mut self,
        file: &mut cfb::Compound<'_>,
        storages: &[String],
        reader: &str,
        depth: usize,
    ) {
        for (i, dir) in storages.iter().enumerate() {
            if !self.next_embedded(i) {
                break;
            }
            let step = format!("embedded {}", i + 1);
            self.as_reader(reader, |x| x.inside(&step, |x| x.ole_object(file, dir, depth + 1)));
        }
    }

    /// The OLE object in the storage at `dir` of `file` (`""` for the root): the file an OLE
    /// package holds (`\x01Ole10Native`), or the document of a `Package` or `CONTENTS`
    /// stream; or, in a storage of the file (not its root), whatever else the storage holds,
    /// read as a compound file of its own: the document of an OLE 2 application kept as the
    /// storage itself (a workbook's `Workbook` stream, a Word document's `WordDocument` and
    /// table streams), or another application's data (for its text runs). `false` for a root
    /// that holds none of the first three.
    fn ole_object(&mut self, file: &mut cfb::Compound<'_>, dir: &str, depth: usize) -> bool {
        if let Some(stream) = file.stream_at(&format!("{dir}/\u{1}Ole10Native")) {
            self.payload(ole::native_stream(&stream), depth);
            return true;
        }
        let document = ["Package", "CONTENTS"]
            .iter()
            .filter_map(|s| file.stream_at(&format!("{dir}/{s}")))
            .find(|data| sniff::sniff(&data[..data.len().min(HEAD as usize)]).is_some());
        if let Some(data) = document {
            self.unnamed(&data, depth);
            return true;
        }
        if dir.is_empty() {
            return false;
        }
        // The storage, read where it is as a compound file of its own, one level deeper.
        if !self.too_deep(depth + 1) {
            let outer = file.enter(dir);
            self.as_reader(Format::Cfb.reader(), |x| x.compound_file(file, None, depth + 1));
            file.leave(outer);
        }
        true
    }

    /// Reads one member of an archive (or the content of a gzip stream) called `name`: a
    /// document or archive is read in turn, text is scanned, a message is kept for the caller
    /// to read as one ([`Found`]), anything else (images, binaries) is passed over without
    /// inflating more than its first bytes.
    fn member(&mut self, name: &str, input: &mut dyn Read, depth: usize) {
        let mut input = Metered { inner: input, budget: self.budget };
        let mut head = Vec::with_capacity(HEAD as usize);
        if (&mut input).take(HEAD).read_to_end(&mut head).is_err() {
            self.inside(name, |x| x.unreadable("its compressed data is damaged"));
            return;
        }
        match sniff::member(name, &head) {
            Member::Document(format) => {
                // Documents and archives need all their bytes (bounded by the budget).
                if input.read_to_end(&mut head).is_err() {
                    self.inside(name, |x| x.unreadable("its compressed data is damaged"));
                    return;
                }
                // One level deeper: an archive inside an archive counts towards `max_depth`.
                self.inside(name, |x| x.document(format, &head, depth + 1));
            }
            Member::Message => {
                if input.read_to_end(&mut head).is_err() {
                    self.inside(name, |x| x.unreadable("its compressed data is damaged"));
                    return;
                }
                self.found_message(name, head, depth + 1);
            }
            #[cfg(feature = "ocr")]
            Member::Media => self.media(name, &mut input, head),
            #[cfg(not(feature = "ocr"))]
            Member::Media => {}
            Member::Binary => self.binary_member(name, &mut input, head),
            Member::Html => {
                if input.read_to_end(&mut head).is_ok() {
                    if let Some(html) = crate::text::decode_text(&head, None) {
                        let mut text = String::new();
                        crate::text::html_to_text(&html, &mut text);
                        self.emit_charged(Some(name), false, &text, &[]);
                    }
                }
            }
            Member::Text => self.text_member(name, &mut input, head),
        }
    }

    /// Reads binary bytes of no known format for runs of text (an attachment that is not a
    /// document, text or media), as far as the budget allows; past it, the limit is noted.
    /// Images and other media are passed over.
    pub(crate) fn binary(&mut self, bytes: &[u8]) {
        if sniff::is_media(bytes) {
            return;
        }
        let granted = self.budget.take(bytes.len() as u64) as usize;
        let read = &bytes[..granted.min(bytes.len())];
        let mut at = 0;
        while at < read.len() {
            let end = (at + TEXT_CHUNK).min(read.len());
            // Pieces overlap, so that a run across the cut is read whole in one of them.
            let text = strings::runs(&read[at.saturating_sub(RUN_OVERLAP)..end]);
            self.emit_charged(None, false, &text, &[]);
            at = end;
        }
        if granted < bytes.len() && !self.has_incomplete(Limit::MaxExtractedBytes) {
            let detail = format!(
                "binary content of {} past the first {} was not scanned",
                self.where_(),
                size(self.limits.max_extracted_bytes)
            );
            self.incomplete(Limit::MaxExtractedBytes, detail);
        }
    }

    /// A member of no known format whose first bytes are `head`: read for runs of text, in
    /// pieces, to its end or the end of the budget.
    fn binary_member(&mut self, name: &str, input: &mut dyn Read, head: Vec<u8>) {
        let mut buf = head;
        loop {
            let before = buf.len();
            let more = input.take(TEXT_CHUNK as u64).read_to_end(&mut buf).unwrap_or(0);
            let text = strings::runs(&buf);
            self.emit_charged(Some(name), false, &text, &[]);
            if more == 0 || buf.len() == before {
                return;
            }
            // The last bytes start the next piece, so that a run across the cut is read whole.
            let keep = buf.len().saturating_sub(RUN_OVERLAP);
            buf.drain(..keep);
        }
    }

    /// Scans a text member whose first bytes are `head` and the rest in `input`, in pieces
    /// that end at a line break.
    fn text_member(&mut self, name: &str, input: &mut dyn Read, head: Vec<u8>) {
        let mut buf = head;
        loop {
            let before = buf.len();
            let more = input.take(TEXT_CHUNK as u64).read_to_end(&mut buf).unwrap_or(0);
            let at_end = more == 0 || buf.len() == before;
            let cut =
                if at_end { buf.len() } else { memchr::memrchr(b'\n', &buf).map_or(buf.len(), |p| p + 1) };
            if let Some(text) = crate::text::decode_text(&buf[..cut], None) {
                self.emit_charged(Some(name), false, &text, &[]);
            }
            buf.drain(..cut);
            if at_end && buf.is_empty() {
                return;
            }
        }
    }
}

/// `n` bytes for people (`256 MiB`, `1.5 KiB`, `300 bytes`).
fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules a file of this folder refers to through `super::` (outside its tests).
    fn uses(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]\nmod tests").next().unwrap_or(source);
        let mut out = Vec::new();
        for (at, _) in code.match_indices("super::") {
            let rest = &code[at + "super::".len()..];
            // `super::{a, b::c}` names two modules; `super::a::b` one.
            let group = match rest.strip_prefix('{') {
                Some(g) => &g[..g.find('}').unwrap_or(g.len())],
                None => {
                    &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len())]
                }
            };
            for path in group.split(',') {
                let name: String =
                    path.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        out
    }

    #[test]
    fn files_depend_one_way() {
        // Each file, and the only modules of this folder it may use. Dispatch (this file) is
        // used by none; readers use only helpers; helpers use only lower helpers.
        let files: [(&str, &str, &[&str]); 28] = [
            ("meter.rs", include_str!("meter.rs"), &[]),
            ("row.rs", include_str!("row.rs"), &[]),
            ("xml.rs", include_str!("xml.rs"), &[]),
            ("sniff.rs", include_str!("sniff.rs"), &[]),
            ("extractor.rs", include_str!("extractor.rs"), &[]),
            ("stream.rs", include_str!("stream.rs"), &[]),
            ("strings.rs", include_str!("strings.rs"), &[]),
            ("tar.rs", include_str!("tar.rs"), &[]),
            ("ole.rs", include_str!("ole.rs"), &[]),
            ("sevenz.rs", include_str!("sevenz.rs"), &["meter"]),
            ("flow.rs", include_str!("flow.rs"), &["xml"]),
            ("zip.rs", include_str!("zip.rs"), &["meter"]),
            ("ooxml.rs", include_str!("ooxml.rs"), &["extractor", "flow", "row", "xml", "zip"]),
            ("odf.rs", include_str!("odf.rs"), &["extractor", "flow", "row", "xml", "zip"]),
            ("rtf.rs", include_str!("rtf.rs"), &["extractor"]),
            ("le.rs", include_str!("le.rs"), &[]),
            ("biff.rs", include_str!("biff.rs"), &["le"]),
            ("cfb.rs", include_str!("cfb.rs"), &["biff", "extractor", "row", "strings"]),
            ("doc.rs", include_str!("doc.rs"), &["cfb", "extractor", "le"]),
            ("ppt.rs", include_str!("ppt.rs"), &["cfb", "extractor", "le"]),
            ("summary.rs", include_str!("summary.rs"), &["cfb", "extractor", "le", "mapi"]),
            ("pdf/mod.rs", include_str!("pdf/mod.rs"), &["extractor"]),
            ("mapi.rs", include_str!("mapi.rs"), &[]),
            ("lzfu.rs", include_str!("lzfu.rs"), &[]),
            ("tnef.rs", include_str!("tnef.rs"), &["mapi"]),
            ("msg.rs", include_str!("msg.rs"), &["cfb", "mapi"]),
            ("internet.rs", include_str!("internet.rs"), &["lzfu", "mapi"]),
            ("pst.rs", include_str!("pst.rs"), &["internet", "mapi"]),
        ];
        for (file, source, allowed) in files {
            for used in uses(source) {
                assert!(allowed.contains(&used.as_str()), "{file} uses super::{used}");
            }
            assert!(!source.contains("crate::extract"), "{file} names crate::extract");
        }
        assert_eq!(uses("use super::{a, b::c};\nuse super::d::E;\nsuper::f(x);"), ["a", "b", "d", "f"]);
        // The PDF reader's own parts refer only to each other.
        let text = include_str!("pdf/text.rs");
        assert!(!uses(text).iter().any(|u| u == "super"), "pdf/text.rs reaches past the PDF reader");
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(size(300), "300 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(256 << 20), "256.0 MiB");
        assert_eq!(size(3 << 30), "3.0 GiB");
    }
}
