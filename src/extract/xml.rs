//! A streaming walk over XML parts: elements by local name (namespace prefixes differ between
//! producers), text with character and predefined entity references resolved. Entities a DTD
//! declares are never expanded, so an entity-expansion bomb reads as its few literal bytes.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One step of the walk.
pub(super) enum Node<'a> {
    /// An element opens (an empty element is an `Open` followed by a `Close`).
    Open(&'a str, &'a BytesStart<'a>),
    /// An element closes.
    Close(&'a str),
    /// Character data.
    Text(&'a str),
}

/// The local part of a qualified name (`w:t` -> `t`). Names are short: a plain loop beats a
/// vectorised search here.
pub(super) fn local(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Calls `f` with each node of the document read from `input`, until the end, an error, or
/// `f` returns `false`. Returns `false` when the XML could not be read to its end.
pub(super) fn walk<R: BufRead>(input: R, f: &mut dyn FnMut(Node<'_>) -> bool) -> bool {
    let mut reader = Reader::from_reader(input);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.expand_empty_elements = false;
    let mut buf = Vec::new();
    let mut chr = [0u8; 4];
    loop {
        buf.clear();
        let go = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => f(Node::Open(local(e.name().into_inner()), &e)),
            Ok(Event::Empty(e)) => {
                let name = local(e.name().into_inner());
                f(Node::Open(name, &e)) && f(Node::Close(name))
            }
            Ok(Event::End(e)) => f(Node::Close(local(e.name().into_inner()))),
            Ok(Event::Text(t)) => f(Node::Text(&t)),
            Ok(Event::CData(t)) => f(Node::Text(&t)),
            Ok(Event::GeneralRef(r)) => match r.resolve_char_ref() {
                Ok(Some(c)) => f(Node::Text(c.encode_utf8(&mut chr))),
                _ => match resolve_predefined_entity(&r) {
                    Some(s) => f(Node::Text(s)),
                    None => true,
                },
            },
            Ok(Event::Eof) => return true,
            Err(_) => return false,
            Ok(_) => true,
        };
        if !go {
            return true;
        }
    }
}

/// The value of the attribute whose local name is `name`, unescaped.
pub(super) fn attr<'a>(e: &'a BytesStart<'_>, name: &str) -> Option<Cow<'a, str>> {
    e.attributes().with_checks(false).flatten().find(|a| local(a.key.into_inner()) == name).map(value)
}

/// An attribute's value with references resolved and white space normalised; values with
/// neither (nearly all of them) are borrowed as they are.
fn value(a: quick_xml::events::attributes::Attribute<'_>) -> Cow<'_, str> {
    if !a.value.bytes().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
        return a.value;
    }
    match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
        Ok(v) => v,
        Err(_) => a.value,
    }
}

/// The values of the attributes whose local names are `names`, read in one pass.
pub(super) fn attrs<'a, const N: usize>(
    e: &'a BytesStart<'_>,
    names: [&str; N],
) -> [Option<Cow<'a, str>>; N] {
    let mut out = [const { None }; N];
    for a in e.attributes().with_checks(false).flatten() {
        let key = local(a.key.into_inner());
        if let Some(i) = names.iter().position(|n| *n == key) {
            out[i] = Some(value(a));
        }
    }
    out
}

/// Whether a boolean attribute (`hidden="1"`, `w:val="true"`) is on.
pub(super) fn is_on(v: Option<Cow<'_, str>>) -> bool {
    v.is_some_and(|v| matches!(v.as_ref(), "1" | "true" | "on"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xml: &str) -> String {
        let mut out = String::new();
        walk(xml.as_bytes(), &mut |n| {
            match n {
                Node::Open(name, _) => out.push_str(&format!("<{name}>")),
                Node::Close(name) => out.push_str(&format!("</{name}>")),
                Node::Text(t) => out.push_str(t),
            }
            true
        });
        out
    }

    #[test]
    fn local_names_entities_and_no_dtd_expansion() {
        assert_eq!(
            texts("<w:p><w:t>Jane &amp; D&#111;e</w:t><w:br/></w:p>"),
            "<p><t>Jane & Doe</t><br></br></p>"
        );
        let bomb = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><x>&b;</x>";
        assert_eq!(texts(bomb), "<x></x>");
    }
}
