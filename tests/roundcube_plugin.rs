//! The Roundcube plugin's files kept in step with the rest, without PHP: its FFI declarations
//! (`clients/roundcube/maildlp/maildlp.h`, what PHP's `FFI::cdef` reads) against the C ABI's
//! header `include/maildlp.h`, its three translations against each other, and the labels and
//! settings its code uses against those files. The plugin itself runs end to end in
//! `tests/roundcube/run` (Roundcube, Dovecot, Postfix and Chromium; `.ci/run` starts it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// C text without comments and preprocessor lines.
fn strip_c(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One declaration with its spacing made canonical: `const char *const *rcpts` and
/// `const char*const* rcpts` compare equal.
fn canonical(decl: &str) -> String {
    let mut s = decl.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in ["*", "(", ")", ",", "{", "}", "="] {
        s = s.replace(&format!(" {p}"), p).replace(&format!("{p} "), p);
    }
    s
}

/// The function prototypes of C text, by function name, canonical.
fn prototypes(text: &str) -> BTreeMap<String, String> {
    let text = strip_c(text);
    let mut out = BTreeMap::new();
    for chunk in text.split(';') {
        // The enum's braces and extern "C" { } are not prototypes.
        let chunk = chunk.rsplit(['{', '}']).next().unwrap_or("");
        let decl = canonical(chunk);
        if let Some(open) = decl.find('(') {
            let name = decl[..open].rsplit(['*', ' ']).next().unwrap_or("").to_string();
            out.insert(name, decl);
        }
    }
    out
}

/// The `NAME = NUMBER` pairs of the status enum.
fn statuses(text: &str) -> BTreeMap<String, i64> {
    let text = strip_c(text);
    let start = text.find("typedef enum maildlp_status").expect("the status enum");
    let body = &text[start..];
    let body = &body[body.find('{').expect("{") + 1..body.find('}').expect("}")];
    body.split(',')
        .filter_map(|item| {
            let (name, value) = item.split_once('=')?;
            Some((name.trim().to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

/// What is wrong with the plugin's declarations against the header (empty when in step).
fn mismatches(cdef: &str, header: &str) -> Vec<String> {
    let want = prototypes(header);
    let mut wrong = Vec::new();
    for (name, decl) in prototypes(cdef) {
        match want.get(&name) {
            None => wrong.push(format!("{name}: not in include/maildlp.h")),
            Some(h) if *h != decl => wrong.push(format!("{name}:\n  plugin: {decl}\n  header: {h}")),
            Some(_) => {}
        }
    }
    let (plugin, c) = (statuses(cdef), statuses(header));
    if plugin != c {
        wrong.push(format!("status enum: plugin {plugin:?}, header {c:?}"));
    }
    for opaque in
        ["typedef struct maildlp_report maildlp_report", "typedef struct maildlp_scanner maildlp_scanner"]
    {
        if !strip_c(cdef).contains(opaque) {
            wrong.push(format!("missing: {opaque}"));
        }
    }
    wrong
}

const CDEF: &str = "clients/roundcube/maildlp/maildlp.h";
const PLUGIN: &str = "clients/roundcube/maildlp/maildlp.php";

#[test]
fn ffi_declarations_match_the_c_header() {
    let cdef = read(CDEF);
    let header = read("include/maildlp.h");
    let wrong = mismatches(&cdef, &header);
    assert!(wrong.is_empty(), "{CDEF} is out of step with include/maildlp.h:\n{}", wrong.join("\n"));
    // Every function the PHP code calls is declared.
    let declared = prototypes(&cdef);
    assert_eq!(declared.len(), 10, "{:?}", declared.keys());
    let engine = read("clients/roundcube/maildlp/maildlp_engine.php");
    let called: BTreeSet<&str> = engine
        .split("->")
        .filter_map(|s| s.strip_prefix("maildlp_"))
        .map(|s| s.split('(').next().unwrap_or(""))
        .collect();
    assert!(called.len() >= 8, "the engine calls {called:?}");
    for name in called {
        assert!(
            declared.contains_key(&format!("maildlp_{name}")),
            "maildlp_{name} is called but not declared"
        );
    }
}

#[test]
fn a_changed_header_is_caught() {
    let cdef = read(CDEF);
    let header = read("include/maildlp.h");
    let changed = header.replace(
        "size_t message_len,\n                                 const char *const *rcpts",
        "size_t message_len,\n  const char *rcpts",
    );
    assert_ne!(changed, header, "the test's edit must apply");
    let wrong = mismatches(&cdef, &changed);
    assert!(wrong.len() == 1 && wrong[0].starts_with("maildlp_scan:"), "{wrong:?}");
    let renumbered = header.replace("MAILDLP_PANIC = 100", "MAILDLP_PANIC = 101");
    assert!(mismatches(&cdef, &renumbered).iter().any(|w| w.starts_with("status enum")));
    let removed = header.replace("void maildlp_bytes_free", "void maildlp_bytes_release");
    assert!(mismatches(&cdef, &removed).iter().any(|w| w.starts_with("maildlp_bytes_free: not in")));
}

/// The labels of a localization file, with the `$placeholders` of each.
fn labels(path: &str) -> BTreeMap<String, BTreeSet<String>> {
    read(path)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("$labels['")?;
            let (key, value) = rest.split_once("'] = ")?;
            let vars = value
                .split('$')
                .skip(1)
                .map(|v| v.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect())
                .collect();
            Some((key.to_string(), vars))
        })
        .collect()
}

#[test]
fn translations_have_the_same_labels_and_placeholders() {
    let dir = "clients/roundcube/maildlp/localization";
    let en = labels(&format!("{dir}/en_US.inc"));
    assert!(en.len() > 30, "{} labels", en.len());
    for lang in ["en_GB", "cy_GB"] {
        let other = labels(&format!("{dir}/{lang}.inc"));
        assert_eq!(en, other, "{lang} differs from en_US in its labels or placeholders");
    }
    assert_eq!(en["exposed"], BTreeSet::from(["n".to_string()]));
    assert_eq!(en["identifier"], BTreeSet::from(["n".to_string(), "what".to_string(), "place".to_string()]));
}

#[test]
fn every_label_and_setting_the_plugin_uses_exists() {
    let php = read(PLUGIN);
    let js = read("clients/roundcube/maildlp/maildlp.js");
    let en = labels("clients/roundcube/maildlp/localization/en_US.inc");
    // gettext('x'), 'name' => 'x', refuse($args, 'x'), maildlp.x in JavaScript.
    let mut used = BTreeSet::new();
    for marker in ["gettext('", "'name' => '", "$this->refuse($args, '"] {
        for piece in php.split(marker).skip(1) {
            used.insert(piece.split('\'').next().unwrap_or("").to_string());
        }
    }
    for piece in js.split("get_label('maildlp.").skip(1) {
        used.insert(piece.split('\'').next().unwrap_or("").to_string());
    }
    // Labels chosen at run time: the one and many forms, and every kind.
    for label in ["exposed", "exposed1", "identifier", "identifier1"] {
        used.insert(label.to_string());
    }
    for kind in ["name", "email", "phone", "term", "pattern", "sensitive"] {
        used.insert(format!("kind_{kind}"));
        used.insert(format!("kind1_{kind}"));
    }
    used.retain(|l| !l.is_empty() && !l.contains(' '));
    assert!(used.len() > 25, "{used:?}");
    let missing: Vec<_> = used.iter().filter(|l| !en.contains_key(*l)).collect();
    assert!(missing.is_empty(), "labels used but not translated: {missing:?}");

    let dist = read("clients/roundcube/maildlp/config.inc.php.dist");
    let settings: BTreeSet<&str> =
        php.split("config->get('").skip(1).filter_map(|s| s.split('\'').next()).collect();
    assert!(settings.len() >= 7, "{settings:?}");
    for s in settings {
        assert!(dist.contains(&format!("$config['{s}']")), "{s} is read but not in config.inc.php.dist");
    }
}
