//! Meeting invitations (iCalendar, RFC 5545): who an invitation shows to every invitee, and
//! the text it carries.
//!
//! A `text/calendar` or `application/ics` part, a part named `*.ics`, or any part whose
//! decoded text starts with `BEGIN:VCALENDAR` is a calendar. One with `METHOD:REQUEST` or
//! `METHOD:PUBLISH` is an invitation: every invitee's calendar program (Outlook, Thunderbird,
//! Google Calendar) shows every `ATTENDEE` and the `ORGANIZER`, so, in the message being sent,
//! their addresses are visible addresses (`Envelope`). The names (`CN=`) and the text of every
//! property (summary, description, location, comment...) are content (`crate::content`).
//!
//! Content lines are parsed by the `calcard` crate (folding, quoted parameters, escapes). It
//! builds every property of what it is given at once, at about ten times the bytes of a short
//! line, so it is handed the calendar a run of content lines at a time (at most `CHUNK`
//! bytes, cut only where a content line starts, so folding is untouched): a 100,000-attendee
//! invitation costs one run's worth of properties at a time. `BEGIN:`/`END:` lines are left
//! out of the runs (nothing here needs the components' nesting, and calcard ends a run at an
//! `END:` it did not see begin). A line with more than `MAX_PARAMS` parameters (calcard keeps
//! each at a hundred bytes or more) is not handed over: it is read as the text it is, and an
//! attendee's address is taken from after its colon.

use calcard::icalendar::{
    ICalendarComponentType, ICalendarEntry, ICalendarMethod, ICalendarParameterName, ICalendarParameterValue,
    ICalendarProperty, ICalendarValue, Uri,
};
use calcard::{Entry, Parser};

use super::mime::{Kind, Part};
use super::transfer::{self, Transfer};
use crate::address;

/// Bytes of content lines handed to the parser at once.
const CHUNK: usize = 64 << 10;

/// Parameters a content line may have to be parsed (real ones have a handful).
const MAX_PARAMS: usize = 64;

/// What one property of a calendar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    /// The address of an attendee (`path` is `attendee`) or of the organiser (`organizer`):
    /// canonical, and valid.
    Address {
        /// `attendee` or `organizer`.
        path: &'static str,
        /// The address.
        address: &'a str,
    },
    /// Text a reader sees: a name (`CN=`, `path` is `attendee` or `organizer`) or a property's
    /// value (`path` is the property's name in lower case: `summary`, `description`).
    Text {
        /// Where in the calendar.
        path: &'a str,
        /// The text, unfolded and unescaped.
        text: &'a str,
    },
}

/// Whether `part` holds a calendar: by its type, its file name, or its first bytes.
pub(crate) fn is_calendar(part: &Part<'_>) -> bool {
    if part.message || !matches!(part.kind, Kind::Text | Kind::Binary) {
        return false;
    }
    let declared = part.content_type().is_some_and(|ct| {
        let sub = ct.subtype().unwrap_or("");
        (ct.ctype().eq_ignore_ascii_case("text") && sub.eq_ignore_ascii_case("calendar"))
            || (ct.ctype().eq_ignore_ascii_case("application") && sub.eq_ignore_ascii_case("ics"))
    });
    let named = part.attachment_name().is_some_and(|n| {
        let n = n.trim().as_bytes();
        n.len() >= 4 && n[n.len() - 4..].eq_ignore_ascii_case(b".ics")
    });
    if declared || named {
        return true;
    }
    match part.transfer() {
        None => starts_as_calendar(part.body),
        // `BEGIN:VCALENDAR` is written as it is in quoted-printable (a byte-order mark is
        // `=EF=BB=BF`): the raw head tells, and the body is not decoded to learn it.
        Some(Transfer::QuotedPrintable) => {
            starts_as_calendar(part.body.strip_prefix(b"=EF=BB=BF").unwrap_or(part.body))
        }
        Some(t) => transfer::decode_head(part.body, t, 64).is_some_and(|head| starts_as_calendar(&head)),
    }
}

/// Whether bytes start (after a byte-order mark and white space) with `BEGIN:VCALENDAR`.
fn starts_as_calendar(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    bytes.get(start..start + 15).is_some_and(|b| b.eq_ignore_ascii_case(b"BEGIN:VCALENDAR"))
}

/// The decoded text of `part` when it is a calendar; `None` when it is not one, or when its
/// transfer encoding does not decode (then it is read as any text is).
pub(crate) fn text_of(part: &Part<'_>) -> Option<String> {
    if !is_calendar(part) {
        return None;
    }
    let bytes = match part.transfer() {
        Some(t) => transfer::decode(part.body, t)?,
        None => part.body.to_vec(),
    };
    Some(transfer::to_text(bytes, part.charset()))
}

/// Whether the calendar `text` is an invitation (`METHOD:REQUEST` or `PUBLISH`), whose
/// addresses are shown to every invitee: its `METHOD` lines, parsed.
pub(crate) fn invites(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let end = line_end(bytes, pos);
        let line = &text[pos..end];
        let name = line.trim_start_matches('\u{feff}').trim_start().split([';', ':']).next().unwrap_or("");
        if name.eq_ignore_ascii_case("METHOD") {
            let parsed =
                crate::panics::guarded(|| Parser::new(line).icalendar(ICalendarComponentType::VCalendar));
            if let Ok(Entry::ICalendar(cal)) = parsed {
                let invitation = cal.components.iter().flat_map(|c| c.entries.iter()).any(|e| {
                    e.name == ICalendarProperty::Method
                        && e.values.iter().any(|v| {
                            matches!(
                                v,
                                ICalendarValue::Method(ICalendarMethod::Request | ICalendarMethod::Publish)
                            )
                        })
                });
                if invitation {
                    return true;
                }
            }
        }
        pos = end;
    }
    false
}

/// Reads the calendar `text`, calling `f` with every address and text it shows, in order.
pub(crate) fn read(text: &str, f: &mut dyn FnMut(Item<'_>)) {
    let mut reader = Reader { f, alarms: 0, html: String::new() };
    let bytes = text.as_bytes();
    let (mut start, mut pos) = (0, 0);
    while pos < bytes.len() {
        let end = line_end(bytes, pos);
        let line = &text[pos..end];
        let component = is_component_line(line);
        let params = params_of(line);
        let alone = component || params.count > MAX_PARAMS;
        if (alone || end - start > CHUNK) && start < pos {
            reader.run(&text[start..pos]);
            start = pos;
        }
        if alone {
            if component {
                reader.component(line);
            } else {
                reader.unparsed(line, params.value);
            }
            start = end;
        }
        pos = end;
    }
    if start < bytes.len() {
        reader.run(&text[start..]);
    }
}

/// Where the content line starting at `pos` ends: after the line feed that is not followed by
/// a space or a tab (a fold), or at the end.
fn line_end(bytes: &[u8], mut pos: usize) -> usize {
    loop {
        match memchr::memchr(b'\n', &bytes[pos..]) {
            None => return bytes.len(),
            Some(i) => {
                pos += i + 1;
                if !matches!(bytes.get(pos), Some(b' ' | b'\t')) {
                    return pos;
                }
            }
        }
    }
}

/// Whether a content line begins or ends a component.
fn is_component_line(line: &str) -> bool {
    let b = line.trim_start_matches('\u{feff}').trim_start().as_bytes();
    let starts = |p: &[u8]| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p);
    starts(b"BEGIN:") || starts(b"END:")
}

/// The parameters of a content line as counted before parsing it.
struct Params {
    /// Separators (`;` and `,`) outside quotes before the value.
    count: usize,
    /// Where the value starts (after the first colon outside quotes).
    value: Option<usize>,
}

fn params_of(line: &str) -> Params {
    let mut quoted = false;
    let mut count = 0;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b';' | b',' if !quoted => count += 1,
            b':' if !quoted => return Params { count, value: Some(i + 1) },
            _ => {}
        }
    }
    Params { count, value: None }
}

struct Reader<'f> {
    f: &'f mut dyn FnMut(Item<'_>),
    /// Alarms open where the reading is: an alarm's `ATTENDEE` is the address its reminder
    /// is mailed to, which no invitee sees, so it is text there.
    alarms: usize,
    /// Scratch for HTML descriptions made text.
    html: String,
}

impl Reader<'_> {
    /// Parses a run of whole content lines (none begins or ends a component).
    fn run(&mut self, lines: &str) {
        if lines.trim().is_empty() {
            return;
        }
        // A parser that panics (a bug on malformed input) costs this run's parsing, never the
        // scan: the run is then read as the text it is.
        let parsed = crate::panics::guarded(|| Parser::new(lines).icalendar(ICalendarComponentType::VEvent));
        match parsed {
            Ok(Entry::ICalendar(cal)) => {
                for entry in cal.components.iter().flat_map(|c| c.entries.iter()) {
                    self.entry(entry);
                }
            }
            Ok(_) => {}
            Err(_) => (self.f)(Item::Text { path: "calendar", text: lines }),
        }
    }

    /// A line that begins or ends a component: alarms are counted.
    fn component(&mut self, line: &str) {
        let b = line.trim_start_matches('\u{feff}').trim().as_bytes();
        if b.eq_ignore_ascii_case(b"BEGIN:VALARM") {
            self.alarms += 1;
        } else if b.eq_ignore_ascii_case(b"END:VALARM") {
            self.alarms = self.alarms.saturating_sub(1);
        }
    }

    /// A content line that is not parsed: its text, and for an attendee or the organiser, the
    /// address after its colon.
    fn unparsed(&mut self, line: &str, value: Option<usize>) {
        (self.f)(Item::Text { path: "calendar", text: line });
        let name = line.trim_start().split([';', ':']).next().unwrap_or("");
        let path = if name.eq_ignore_ascii_case("ATTENDEE") {
            "attendee"
        } else if name.eq_ignore_ascii_case("ORGANIZER") {
            "organizer"
        } else {
            return;
        };
        if let Some(v) = value.and_then(|v| line.get(v..)) {
            let unfolded: String =
                v.replace("\r\n ", "").replace("\n ", "").replace("\r\n\t", "").replace("\n\t", "");
            self.address(path, &unfolded);
        }
    }

    /// `value` as an address (`mailto:` dropped) when it is one (outside an alarm), else as
    /// text.
    fn address(&mut self, path: &'static str, value: &str) {
        let v = value.trim();
        let v = match v.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("mailto:") => &v[7..],
            _ => v,
        };
        let canonical = address::canonical(v);
        if address::is_valid(&canonical) && self.alarms == 0 {
            (self.f)(Item::Address { path, address: &canonical });
        } else if !value.trim().is_empty() {
            (self.f)(Item::Text { path, text: value });
        }
    }

    fn entry(&mut self, entry: &ICalendarEntry) {
        match &entry.name {
            // Read before (see `invites`).
            ICalendarProperty::Method => {}
            ICalendarProperty::Attendee | ICalendarProperty::Organizer => {
                let path = if entry.name == ICalendarProperty::Attendee { "attendee" } else { "organizer" };
                for v in &entry.values {
                    if let Some(s) = value_text(v) {
                        self.address(path, s);
                    }
                }
                for p in &entry.params {
                    if let Some(s) = param_text(&p.value) {
                        if p.name == ICalendarParameterName::Email {
                            self.address(path, s);
                        } else {
                            (self.f)(Item::Text { path, text: s });
                        }
                    }
                }
            }
            name => {
                let path = name.as_str().to_ascii_lowercase();
                let html = entry.params.iter().any(|p| {
                    p.name == ICalendarParameterName::Fmttype
                        && param_text(&p.value).is_some_and(|t| t.eq_ignore_ascii_case("text/html"))
                });
                for v in &entry.values {
                    let Some(s) = value_text(v) else { continue };
                    if html {
                        let mut text = std::mem::take(&mut self.html);
                        text.clear();
                        crate::text::html_to_text(s, &mut text);
                        (self.f)(Item::Text { path: &path, text: &text });
                        self.html = text;
                    } else {
                        (self.f)(Item::Text { path: &path, text: s });
                    }
                }
                for p in entry.params.iter().filter(|p| p.name != ICalendarParameterName::Fmttype) {
                    if let Some(s) = param_text(&p.value) {
                        (self.f)(Item::Text { path: &path, text: s });
                    }
                }
            }
        }
    }
}

/// The text of a property value a reader sees (text and URIs).
fn value_text(v: &ICalendarValue) -> Option<&str> {
    match v {
        ICalendarValue::Text(s) | ICalendarValue::Uri(Uri::Location(s)) => Some(s),
        _ => None,
    }
}

/// The text of a parameter value (names, addresses, URIs).
fn param_text(v: &ICalendarParameterValue) -> Option<&str> {
    match v {
        ICalendarParameterValue::Text(s) | ICalendarParameterValue::Uri(Uri::Location(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> (bool, Vec<String>) {
        let mut out = Vec::new();
        let invites = invites(text);
        read(text, &mut |item| {
            out.push(match item {
                Item::Address { path, address } => format!("{path} <{address}>"),
                Item::Text { path, text } => format!("{path}: {text}"),
            })
        });
        (invites, out)
    }

    /// Folding (a fold after a space keeps it), escapes, quoted names with commas, `MAILTO:`
    /// in capitals, an organiser, a method in lower case, and no BEGIN/END noise.
    #[test]
    fn reads_addresses_names_and_text_unfolded_and_unescaped() {
        let ics = "BEGIN:VCALENDAR\r\nMETHOD:request\r\nBEGIN:VEVENT\r\nSUMMARY:Meeting with Jane \r\n Doe\\, and Ravi\r\n\
            DESCRIPTION:Line one\\nJa\r\n ne Doe\\; agenda\r\n\
            ATTENDEE;ROLE=REQ-PARTICIPANT;CN=\"Doe, Jane\";RSVP=TRUE:MAILTO:Jane.Doe@Example.org\r\n\
            ATTENDEE;CN=Ravi\r\n  Patel:mailto:ravi@\r\n example.net\r\n\
            ORGANIZER;CN=Desk:mailto:desk@police.example\r\nLOCATION:Room 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (invites, got) = items(ics);
        assert!(invites);
        assert_eq!(
            got,
            [
                "summary: Meeting with Jane Doe, and Ravi",
                "description: Line one\nJane Doe; agenda",
                "attendee <jane.doe@example.org>",
                "attendee: Doe, Jane",
                "attendee <ravi@example.net>",
                "attendee: Ravi Patel",
                "organizer <desk@police.example>",
                "organizer: Desk",
                "location: Room 2",
            ]
        );
    }

    /// An alarm's attendee (where its reminder is mailed) is text, not an invitee.
    #[test]
    fn an_alarms_attendee_is_text() {
        let ics = "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nBEGIN:VALARM\nACTION:EMAIL\nATTENDEE:mailto:me@x.example\nEND:VALARM\nATTENDEE:mailto:a@x.example\nEND:VEVENT\nEND:VCALENDAR\n";
        let (_, got) = items(ics);
        assert_eq!(got, ["attendee: mailto:me@x.example", "attendee <a@x.example>"]);
    }

    /// Only REQUEST and PUBLISH invite; a reply or a cancellation does not.
    #[test]
    fn methods_that_invite() {
        for (method, invites) in [("REQUEST", true), ("PUBLISH", true), ("CANCEL", false), ("REPLY", false)] {
            let ics = format!("BEGIN:VCALENDAR\nMETHOD:{method}\nBEGIN:VEVENT\nATTENDEE:mailto:a@x.example\nEND:VEVENT\nEND:VCALENDAR\n");
            assert_eq!(items(&ics), (invites, vec!["attendee <a@x.example>".to_string()]), "{method}");
        }
        assert!(!items("BEGIN:VCALENDAR\nATTENDEE:mailto:a@x.example\nEND:VCALENDAR\n").0, "no method");
    }

    /// Runs are cut only between content lines: a property folded across a run's end is read
    /// whole, and every one of many attendees is read.
    #[test]
    fn long_calendars_are_read_in_runs_without_losing_a_line() {
        let mut ics = String::from("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n");
        for i in 0..5000 {
            ics.push_str(&format!(
                "ATTENDEE;CN=Person Number {i} With A Long Name:mailto:p\r\n {i}@x.example\r\n"
            ));
        }
        ics.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
        assert!(ics.len() > 3 * CHUNK);
        let (invites, got) = items(&ics);
        assert!(invites);
        let addresses: Vec<_> = got.iter().filter(|g| g.starts_with("attendee <")).collect();
        assert_eq!(addresses.len(), 5000);
        assert_eq!(addresses[4999], "attendee <p4999@x.example>");
        assert!(got.contains(&"attendee: Person Number 2500 With A Long Name".to_string()));
    }

    /// A line with thousands of parameters is read as text, its address still taken.
    #[test]
    fn lines_with_too_many_parameters_are_read_as_text() {
        let line = format!("ATTENDEE{}:mailto:a@x.example\r\n", ";X-A=b".repeat(1000));
        let ics = format!("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n{line}END:VCALENDAR\r\n");
        let (invites, got) = items(&ics);
        assert!(invites);
        assert_eq!(got, [format!("calendar: {line}"), "attendee <a@x.example>".to_string()]);
    }

    #[test]
    fn recognised_by_first_bytes() {
        assert!(starts_as_calendar(b"\xEF\xBB\xBF\r\n begin:vcalendar\r\n"));
        assert!(!starts_as_calendar(b"BEGIN:VCARD\r\n"));
        assert!(!starts_as_calendar(b"BEGIN:VCAL"));
    }
}
