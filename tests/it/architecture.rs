//! The shape of the house, checked on the source: no file imports another in
//! a circle, the renderers (`report/`) and the command faces are imported by
//! nothing below them.
//!
//! An edge `a -> b` is a `use crate::...`/`use super::...` statement or a
//! fully qualified `crate::`/`super::` path in `a`'s non-test code that
//! names an item of `b`. A name reached through a `mod.rs` glob re-export
//! (`pub use child::*`) is followed to the file that defines it.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files above the pipeline that only the CLI (and each other) may import.
const FACES: [&str; 6] = [
    "report/",
    "cli.rs",
    "ci.rs",
    "output.rs",
    "init/",
    "track.rs",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's code before its `#[cfg(test)]` module, comments dropped.
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module path of a file relative to src/ (`report/html.rs` -> [report, html]).
fn module_of(rel: &str) -> Vec<String> {
    let trimmed = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(String::from).collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

struct Tree {
    /// Module path -> file relative to src/.
    files: BTreeMap<Vec<String>, String>,
    code: BTreeMap<String, String>,
}

impl Tree {
    fn load() -> Tree {
        let mut paths = Vec::new();
        rust_files(&src(), &mut paths);
        let mut files = BTreeMap::new();
        let mut code_of = BTreeMap::new();
        for p in paths {
            let rel = p
                .strip_prefix(src())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "main.rs" || rel.starts_with("bin/") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            files.insert(module_of(&rel), rel.clone());
            code_of.insert(rel, code(&text));
        }
        Tree {
            files,
            code: code_of,
        }
    }

    /// The file defining `path` (absolute module path plus item names).
    fn resolve(&self, path: &[String], depth: usize) -> Option<String> {
        let mut best = None;
        for n in (0..=path.len()).rev() {
            if let Some(f) = self.files.get(&path[..n]) {
                best = Some((f.clone(), n));
                break;
            }
        }
        let (file, n) = best?;
        // A name re-exported by a glob in a mod.rs/lib.rs: follow it.
        if depth < 4 && n < path.len() && (file.ends_with("mod.rs") || file == "lib.rs") {
            let name = &path[n];
            let text = &self.code[&file];
            for line in text.lines() {
                let l = line.trim();
                if let Some(rest) = l
                    .strip_prefix("pub use ")
                    .and_then(|r| r.strip_suffix("::*;"))
                {
                    let written = if ["crate", "super", "self"]
                        .iter()
                        .any(|p| rest.starts_with(&format!("{p}::")))
                    {
                        rest.to_string()
                    } else {
                        format!("self::{rest}")
                    };
                    let mut target = self.absolute(&file, &written);
                    target.push(name.clone());
                    if let Some(f) = self.resolve(&target, depth + 1) {
                        if f != file && self.defines(&f, name) {
                            return Some(f);
                        }
                    }
                }
            }
        }
        Some(file)
    }

    fn defines(&self, file: &str, name: &str) -> bool {
        let text = &self.code[file];
        [
            "struct", "enum", "fn", "type", "const", "trait", "mod", "static",
        ]
        .iter()
        .any(|k| {
            text.contains(&format!("pub {k} {name}"))
                || text.contains(&format!("pub(crate) {k} {name}"))
        }) || text.contains(&format!("pub use {name}"))
    }

    /// `crate::a::b` / `super::a` / `self::a` written in `file` -> absolute
    /// path. A file's module is its path (`a/b.rs` and `a/b/mod.rs` are both
    /// `a::b`), so each `super` drops one segment.
    fn absolute(&self, file: &str, written: &str) -> Vec<String> {
        let mut segs: Vec<&str> = written.split("::").map(str::trim).collect();
        let mut base = Vec::new();
        match segs.first().copied() {
            Some("crate") => {
                segs.remove(0);
            }
            Some("super") | Some("self") => {
                base = module_of(file);
                while segs.first() == Some(&"super") {
                    segs.remove(0);
                    base.pop();
                }
                if segs.first() == Some(&"self") {
                    segs.remove(0);
                }
            }
            _ => {}
        }
        base.extend(segs.into_iter().map(String::from));
        base
    }

    /// Every file each file imports.
    fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for (file, text) in &self.code {
            let mut targets = BTreeSet::new();
            for path in imported_paths(text) {
                if let Some(t) = self.resolve(&self.absolute(file, &path), 0) {
                    if &t != file && t != "lib.rs" {
                        targets.insert(t);
                    }
                }
            }
            out.insert(file.clone(), targets);
        }
        out
    }
}

/// Paths a file names: each leaf of its `use crate|super|self::...`
/// statements (groups expanded) and every inline `crate::`/`super::` path.
fn imported_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("use ") {
        let after = &rest[i + 4..];
        let prefix_ok = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
        let Some(end) = after.find(';') else { break };
        let stmt: String = after[..end].split_whitespace().collect();
        if prefix_ok
            && (stmt.starts_with("crate::")
                || stmt.starts_with("super::")
                || stmt.starts_with("self::"))
        {
            expand(&stmt, &mut out);
        }
        rest = &after[end..];
    }
    for anchor in ["crate::", "super::"] {
        let mut rest = text;
        while let Some(i) = rest.find(anchor) {
            let before_ok = i == 0 || {
                let b = rest.as_bytes()[i - 1];
                !(b.is_ascii_alphanumeric() || b == b'_' || b == b':')
            };
            let tail = &rest[i..];
            let len = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            let path = tail[..len].trim_end_matches(':');
            if before_ok && !path.ends_with("::") {
                out.push(path.to_string());
            }
            rest = &rest[i + anchor.len()..];
        }
    }
    out
}

/// `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e` (`self` = the prefix).
fn expand(stmt: &str, out: &mut Vec<String>) {
    let Some(open) = stmt.find('{') else {
        let p = stmt.split(" as ").next().unwrap_or(stmt);
        out.push(p.trim_end_matches("::self").to_string());
        return;
    };
    let prefix = stmt[..open].trim_end_matches("::");
    let inner = &stmt[open + 1..stmt.rfind('}').unwrap_or(stmt.len())];
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    for p in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        if p == "self" {
            out.push(prefix.to_string());
        } else {
            expand(&format!("{prefix}::{p}"), out);
        }
    }
}

/// The strongly connected components with more than one file (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct S<'a> {
        e: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut S<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        let e = s.e;
        for w in e.get(v).into_iter().flatten() {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let lw = s.low[w.as_str()];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on.contains(w.as_str()) {
                let iw = s.index[w.as_str()];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = S {
        e: edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn no_source_file_imports_another_in_a_circle() {
    let edges = Tree::load().edges();
    let found = cycles(&edges);
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn the_checker_sees_a_circle_and_resolves_paths() {
    let mut e = BTreeMap::new();
    e.insert("a.rs".to_string(), BTreeSet::from(["b.rs".to_string()]));
    e.insert("b.rs".to_string(), BTreeSet::from(["a.rs".to_string()]));
    e.insert("c.rs".to_string(), BTreeSet::from(["a.rs".to_string()]));
    assert_eq!(
        cycles(&e),
        vec![vec!["a.rs".to_string(), "b.rs".to_string()]]
    );
    let mut got = Vec::new();
    expand(
        "crate::domain::{self, GateResult, num::{ms, plural}}",
        &mut got,
    );
    assert_eq!(
        got,
        [
            "crate::domain",
            "crate::domain::GateResult",
            "crate::domain::num::ms",
            "crate::domain::num::plural"
        ]
    );
    let tree = Tree::load();
    let edges = tree.edges();
    // Real edges the checker must see (if these move, update the test).
    assert!(edges["pipeline/evaluate.rs"].contains("model/scorer.rs"));
    assert!(edges["pipeline/assemble.rs"].contains("domain/report.rs"));
    assert!(edges["model/grow.rs"].contains("model/node.rs"));
}

#[test]
fn nothing_below_the_faces_imports_them() {
    let edges = Tree::load().edges();
    let is_face = |f: &str| FACES.iter().any(|x| f.starts_with(x));
    let mut bad = Vec::new();
    for (from, tos) in &edges {
        if is_face(from) || from == "promote.rs" || from == "progress.rs" {
            continue;
        }
        for to in tos {
            if is_face(to) {
                bad.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(bad.is_empty(), "imports of the faces from below: {bad:#?}");
}

/// Lines of a file before its `#[cfg(test)]` module.
fn code_lines(text: &str) -> usize {
    text.find("#[cfg(test)]")
        .map_or(text, |end| &text[..end])
        .lines()
        .count()
}

/// Files declared as `#[cfg(test)] mod name;` (test data, test modules).
fn test_only(paths: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for p in paths {
        let text = std::fs::read_to_string(p).unwrap();
        let dir = if p.ends_with("mod.rs") || p.ends_with("lib.rs") {
            p.parent().unwrap().to_path_buf()
        } else {
            p.with_extension("")
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for w in lines.windows(2) {
            if let ("#[cfg(test)]", Some(name)) = (
                w[0],
                w[1].strip_prefix("mod ").and_then(|m| m.strip_suffix(';')),
            ) {
                out.insert(dir.join(format!("{name}.rs")));
                out.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    out
}

#[test]
fn no_source_file_is_longer_than_about_700_lines_of_code() {
    let mut paths = Vec::new();
    rust_files(&src(), &mut paths);
    let tests = test_only(&paths);
    assert!(
        tests.contains(&src().join("pipeline/tests.rs")),
        "{tests:?}"
    );
    let long: Vec<String> = paths
        .iter()
        .filter(|p| !tests.contains(*p))
        .filter_map(|p| {
            let n = code_lines(&std::fs::read_to_string(p).unwrap());
            (n > 720).then(|| format!("{}: {n}", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over ~700 lines of code: {long:#?}");
    assert_eq!(code_lines("fn a() {}\n#[cfg(test)]\nmod t {}\n"), 1);
}
