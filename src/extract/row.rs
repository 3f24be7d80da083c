//! Spreadsheet rows as segments: the cells of a row joined by ` | `, each cell a [`Mark`], and
//! numbers written as a reader sees them. Shared by the OOXML, OpenDocument and legacy Excel
//! readers.

use crate::model::Mark;

/// Appends `v` (a spreadsheet number as stored) as a reader sees it in a General cell:
/// integers keep every digit (a phone stored as a number), others their shortest form.
pub(super) fn push_number(out: &mut String, v: &str) {
    match v.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            use std::fmt::Write;
            let _ = write!(out, "{}", f as i64);
        }
        _ => out.push_str(v.trim()),
    }
}

/// A spreadsheet row being assembled: cells joined by ` | `, each a mark.
#[derive(Default)]
pub(super) struct Row {
    /// The row's text so far.
    pub(super) text: String,
    /// Where each cell starts in `text`, with its reference and whether it is hidden.
    pub(super) marks: Vec<Mark>,
}

impl Row {
    /// Empties the row for the next one.
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.marks.clear();
    }

    /// Starts the cell at `row`, `col` (1-based).
    pub(super) fn cell(&mut self, row: u32, col: u32, hidden: bool) {
        if !self.marks.is_empty() {
            self.text.push_str(" | ");
        }
        self.marks.push(Mark { start: self.text.len(), cell: Some((row, col)), hidden });
    }

    /// Drops a last cell that got no text.
    pub(super) fn drop_empty_cell(&mut self) {
        if let Some(m) = self.marks.last() {
            if m.start == self.text.len() {
                let m = self.marks.pop().map_or(0, |m| m.start);
                self.text.truncate(m.saturating_sub(if self.marks.is_empty() { 0 } else { 3 }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_shown() {
        let cases = [
            ("447946000018", "447946000018"),
            ("4.4794600001800000E+11", "447946000018"),
            ("3.5", "3.5"),
            ("-2", "-2"),
            ("x", "x"),
        ];
        for (v, want) in cases {
            let mut s = String::new();
            push_number(&mut s, v);
            assert_eq!(s, want, "{v}");
        }
    }

    #[test]
    fn row_marks_cells() {
        let mut row = Row::default();
        row.cell(7, 2, false);
        row.text.push_str("Doe");
        row.cell(7, 3, true);
        row.text.push_str("Jane");
        row.cell(7, 4, false);
        row.drop_empty_cell();
        assert_eq!(row.text, "Doe | Jane");
        assert_eq!(row.marks.len(), 2);
        assert_eq!(row.marks[1], Mark { start: 6, cell: Some((7, 3)), hidden: true });
    }
}
