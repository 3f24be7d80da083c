//! Dispatch of images to OCR (policy `ocr = true`): an attachment that is an image (path
//! `image`; a multi-page TIFF's pages `page 2`, an animated GIF's frames `frame 2`), an image member of an archive (its own path), and the pictures of a document
//! package (`word/media/image2.png`, `Pictures/1000.png`). Their text is handed on marked as
//! read by OCR; what stops an image (the message's `max_ocr_pixels`, OCR that cannot run, an
//! image that does not decode) is noted as any limit is.

use std::io::Read;

use super::zip;
use crate::model::Limit;
use crate::ocr::Outcome;

impl super::Extractor<'_> {
    /// Reads the image file `bytes` at `sub` inside the current document (`None`: the document
    /// is the image): every page of a multi-page TIFF and every frame of an animated GIF, each
    /// at its own path (`page 2`, `scans.zip > fax.tif > page 2`). Returns whether it was an image OCR reads and OCR is on.
    pub(crate) fn image(&mut self, sub: Option<&str>, bytes: &[u8]) -> bool {
        let Some(ocr) = self.ocr else { return false };
        if !crate::ocr::is_image(bytes) {
            return false;
        }
        ocr.read_each(bytes, |page, outcome| match (sub, page) {
            (None, None) => self.ocr_outcome("image", outcome),
            (None, Some(page)) => self.ocr_outcome(page, outcome),
            (Some(name), None) => self.ocr_outcome(name, outcome),
            (Some(name), Some(page)) => self.ocr_outcome(&format!("{name} > {page}"), outcome),
        });
        true
    }

    /// Hands on what OCR made of the image at `sub` (`image`, `page 3 image`, a member's path):
    /// its text, or the limit that stopped it. An image that does not decode is unreadable
    /// where it stands (an attachment's own image: the attachment).
    pub(crate) fn ocr_outcome(&mut self, sub: &str, outcome: Outcome) {
        match outcome {
            Outcome::Text(text) => self.emit_ocr(Some(sub), &text),
            Outcome::NoText => {}
            Outcome::OverBudget => {
                let max = self.ocr.map_or(0, |o| o.max_pixels());
                self.ocr_limit(max)
            }
            Outcome::Unreadable(why) if sub == "image" => self.unreadable(&why),
            Outcome::Unreadable(why) => self.inside(sub, |x| x.unreadable(&why)),
            Outcome::Unavailable(why) => self.ocr_unavailable(&why),
        }
    }

    /// Notes, once a message, that images past `max` pixels were not read.
    fn ocr_limit(&mut self, max: u64) {
        if !self.has_incomplete(Limit::MaxOcrPixels) {
            let detail = format!("images past the first {max} pixels of the message were not read by OCR");
            self.incomplete(Limit::MaxOcrPixels, detail);
        }
    }

    /// Notes, once a message, that images were not read because OCR cannot run, and `why`.
    fn ocr_unavailable(&mut self, why: &str) {
        if !self.has_incomplete(Limit::OcrUnavailable) {
            self.incomplete(
                Limit::OcrUnavailable,
                format!("images were not read: OCR is unavailable ({why})"),
            );
        }
    }

    /// An archive member `name` whose first bytes `head` say image or other media: an image is
    /// read whole (charged to the budget as it inflates) and handed to OCR when it is on; other
    /// media, and everything when OCR is off, are passed over.
    pub(super) fn media(&mut self, name: &str, input: &mut dyn Read, head: Vec<u8>) {
        if self.ocr.is_none() || !crate::ocr::is_image(&head) {
            return;
        }
        let mut bytes = head;
        if input.read_to_end(&mut bytes).is_err() {
            self.inside(name, |x| x.unreadable("its compressed data is damaged"));
            return;
        }
        self.image(Some(name), &bytes);
    }

    /// The pictures of a document package stored under one of `folders` (`word/media/`), read
    /// as archive members are at `depth`, when OCR is on.
    pub(super) fn package_images(&mut self, archive: &mut zip::Archive<'_>, folders: &[&str], depth: usize) {
        if self.ocr.is_none() {
            return;
        }
        for name in zip::names(archive) {
            if self.budget.exhausted() {
                return;
            }
            if folders.iter().any(|f| name.starts_with(f)) {
                if let Some(mut input) = zip::by_name(archive, &name) {
                    self.member(&name, &mut input, depth + 1);
                }
            }
        }
    }
}
