//! The house's floors: each top-level module of `src/` uses only the floors below it, and no
//! two files of the crate use each other. `docs/design.md` names the floors and says what
//! each holds; this test holds the code to it.
//!
//! A use is a `crate::NAME` path (or `super::NAME` from a module's own files) in code, not in
//! comments. The shells (`ffi.rs`, `bin/`, `lib.rs`) stand above every floor.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom up. Modules on one floor may use each other only where `SAME_FLOOR` allows it.
const FLOORS: &[&[&str]] = &[
    &["model", "error", "address", "panics", "exhaustive"],
    &["text"],
    &["list"],
    &["matcher"],
    &["detect"],
    &["message"],
    &["ocr"],
    &["extract"],
    &["sources"],
    &["content"],
    &["report", "remedy", "details"],
    &["rules"],
    &["policy"],
    &["scanner"],
];

/// Uses allowed between modules of one floor (user, used).
const SAME_FLOOR: &[(&str, &str)] = &[("error", "model")];

/// The top-level module a file belongs to (`src/message/mime.rs` -> `message`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file: comment lines dropped, and a `#[cfg(test)]` module at the end cut off
/// (tests may reach across floors to check one against another).
fn code(text: &str) -> String {
    let body = match text.find("#[cfg(test)]\nmod tests") {
        Some(p) => &text[..p],
        None => text,
    };
    body.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every `crate::NAME` used in `code`.
fn crate_uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(p) = rest.find("crate::") {
        let after = &rest[p + 7..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        // `crate::{a, b}`
        if let Some(braced) = after.strip_prefix('{') {
            let inner = braced.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let n: String =
                    item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !n.is_empty() {
                    out.insert(n);
                }
            }
        } else if !name.is_empty() {
            out.insert(name);
        }
        rest = after;
    }
    out
}

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

#[test]
fn every_module_uses_only_the_floors_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(module) = module_of(&src, f) else { continue };
        if matches!(module.as_str(), "lib" | "ffi" | "bin") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let used = crate_uses(&code(&text));
        uses.entry(module.clone()).or_default().extend(used.into_iter().filter(|u| *u != module));
    }
    let mut wrong = Vec::new();
    for (module, used) in &uses {
        let Some(floor) = floor_of(module) else {
            wrong.push(format!("{module} is on no floor: add it to FLOORS and docs/design.md"));
            continue;
        };
        for u in used {
            let Some(theirs) = floor_of(u) else { continue };
            let allowed = theirs < floor || SAME_FLOOR.contains(&(module.as_str(), u.as_str()));
            if !allowed {
                wrong.push(format!("{module} (floor {floor}) uses {u} (floor {theirs})"));
            }
        }
    }
    assert!(wrong.is_empty(), "uses against the floors:\n{}", wrong.join("\n"));
}

/// No two files use each other through `super::` or `crate::` paths to each other's items
/// (a file's own submodules aside).
#[test]
fn no_two_files_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // A file's module path: src/extract/zip.rs -> extract::zip, src/extract/mod.rs -> extract.
    let path_of = |f: &Path| -> String {
        let rel = f.strip_prefix(&src).unwrap_or(f).with_extension("");
        let parts: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|p| *p != "mod").collect();
        parts.join("::")
    };
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    let known: BTreeSet<String> = files.iter().map(|f| path_of(f)).collect();
    for f in &files {
        let me = path_of(f);
        if me.starts_with("bin") {
            continue;
        }
        let parent = me.rsplit_once("::").map_or(String::new(), |(p, _)| p.to_string());
        let is_mod = f.file_name().is_some_and(|n| n == "mod.rs");
        let own = if is_mod { me.clone() } else { parent.clone() };
        let text = code(&std::fs::read_to_string(f).unwrap_or_default());
        for (prefix, base) in [
            (
                "super::",
                if is_mod {
                    parent.clone()
                } else {
                    parent.rsplit_once("::").map_or(String::new(), |(p, _)| p.to_string())
                },
            ),
            ("crate::", String::new()),
        ] {
            let mut rest = text.as_str();
            while let Some(p) = rest.find(prefix) {
                let after = &rest[p + prefix.len()..];
                // The longest known module path the use names.
                let mut target = base.clone();
                let mut best = None;
                for seg in after.split("::") {
                    let name: String =
                        seg.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if name.is_empty() {
                        break;
                    }
                    target = if target.is_empty() { name } else { format!("{target}::{name}") };
                    if known.contains(&target) {
                        best = Some(target.clone());
                    }
                }
                // `super::X` from a plain file names its parent module (mod.rs) when X is no module.
                let best =
                    best.or_else(|| (prefix == "super::" && known.contains(&own)).then(|| own.clone()));
                if let Some(t) = best {
                    if t != me && !t.starts_with(&format!("{me}::")) && !me.starts_with(&format!("{t}::")) {
                        edges.insert((me.clone(), t));
                    }
                }
                rest = after;
            }
        }
    }
    let cycles: Vec<String> = edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("{a} <-> {b}"))
        .collect();
    assert!(cycles.is_empty(), "files that use each other:\n{}", cycles.join("\n"));
}
