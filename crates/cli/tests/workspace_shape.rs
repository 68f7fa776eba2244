//! The workspace's shape, checked (issue 24): no source file over 600 lines
//! in any crate, and no circle of module imports inside a crate.
//!
//! A circle is a set of sibling modules (children of one parent, at any
//! depth) that import each other, directly or round a ring: `a` uses
//! `b::X` and `b` uses `a::Y`. A child may use what its parent module
//! holds, and a parent its children; siblings depend one way. Imports are
//! read from the source text (`crate::`, `super::`, `self::` paths and
//! `use` groups); `#[cfg(test)]` code is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The most lines a source file may hold.
const MOST_LINES: usize = 600;

type Module = Vec<String>;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each module of a crate's `src` by its path, with its text.
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file
                .strip_prefix(src)
                .expect("under src")
                .with_extension("");
            let mut module: Module = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            (module, fs::read_to_string(&file).expect("readable"))
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifiers of a path starting at `rest` (`a::b::C` → a, b, C),
/// and what follows them.
fn segments(mut rest: &str) -> (Vec<String>, &str) {
    let mut out = Vec::new();
    loop {
        let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_string());
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(r) if r.starts_with(is_ident) => rest = r,
            _ => break,
        }
    }
    (out, rest)
}

/// The module paths a module's text names, absolute within its crate.
fn imports(module: &Module, text: &str) -> BTreeSet<Module> {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("::") {
        let before = &code[..at];
        let start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
        let mut base: Module = match &before[start..] {
            "crate" => Vec::new(),
            "self" => module.clone(),
            "super" if start < 2 || &before[start - 2..start] != "::" => {
                module[..module.len().saturating_sub(1)].to_vec()
            }
            _ => continue,
        };
        let rest = &code[at + 2..];
        let (mut path, after) = segments(rest);
        while path.first().map(String::as_str) == Some("super") {
            path.remove(0);
            base.pop();
        }
        if let Some(group) = after.strip_prefix("::{") {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let (inner, _) = segments(part.trim());
                let mut full = base.clone();
                full.extend(path.iter().cloned());
                full.extend(inner.into_iter().take(2));
                out.insert(full);
            }
        } else if rest.starts_with('{') {
            let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
            for part in group.split(',') {
                let (inner, _) = segments(part.trim());
                let mut full = base.clone();
                full.extend(inner.into_iter().take(2));
                out.insert(full);
            }
        }
        base.extend(path);
        out.insert(base);
    }
    out
}

/// Each circle of sibling modules in one crate's `src`, with the imports
/// that make it.
fn circles(src: &Path) -> Vec<String> {
    let modules = modules(src);
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut why: BTreeMap<(Module, Module), Vec<String>> = BTreeMap::new();
    for (from, text) in &modules {
        for path in imports(from, text) {
            let Some(to) = (0..=path.len())
                .rev()
                .map(|k| path[..k].to_vec())
                .find(|m| modules.contains_key(m))
            else {
                continue;
            };
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue; // a module and its parent, child or itself
            }
            let (a, b) = (from[..=common].to_vec(), to[..=common].to_vec());
            edges.entry(a.clone()).or_default().insert(b.clone());
            why.entry((a, b)).or_default().push(format!(
                "{} -> {}",
                from.join("::"),
                path.join("::")
            ));
        }
    }
    // Strongly connected sets (Tarjan), each of more than one module.
    struct Search<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        found: Vec<Vec<Module>>,
    }
    impl Search<'_> {
        fn visit(&mut self, v: &Module) {
            let n = self.index.len();
            self.index.insert(v.clone(), n);
            self.low.insert(v.clone(), n);
            self.stack.push(v.clone());
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v.clone(), low);
                } else if self.stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v.clone(), low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut set = Vec::new();
                while let Some(w) = self.stack.pop() {
                    let done = &w == v;
                    set.push(w);
                    if done {
                        break;
                    }
                }
                if set.len() > 1 {
                    self.found.push(set);
                }
            }
        }
    }
    let mut search = Search {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !search.index.contains_key(v) {
            search.visit(v);
        }
    }
    search
        .found
        .iter()
        .map(|set| {
            let names: Vec<String> = set.iter().map(|m| m.join("::")).collect();
            let reasons: Vec<String> = why
                .iter()
                .filter(|((a, b), _)| set.contains(a) && set.contains(b))
                .flat_map(|(_, r)| r.iter().cloned())
                .collect();
            format!("{}\n    {}", names.join(" <-> "), reasons.join("\n    "))
        })
        .collect()
}

fn crate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(crates_dir())
        .expect("crates/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 5, "found the workspace's crates: {dirs:?}");
    dirs
}

#[test]
fn no_circle_of_module_imports_in_any_crate() {
    let mut found = Vec::new();
    for dir in crate_dirs() {
        for circle in circles(&dir.join("src")) {
            found.push(format!("{}: {circle}", dir.display()));
        }
    }
    assert!(found.is_empty(), "module circles:\n{}", found.join("\n"));
}

#[test]
fn no_source_file_over_600_lines() {
    let mut long = Vec::new();
    for dir in crate_dirs() {
        let mut files = Vec::new();
        for part in ["src", "tests", "benches"] {
            rust_files(&dir.join(part), &mut files);
        }
        for file in files {
            let lines = fs::read_to_string(&file).expect("readable").lines().count();
            if lines > MOST_LINES {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MOST_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The check finds a circle when there is one (it is not a test that
/// cannot fail): two sibling modules using each other, one through a
/// `use` group.
#[test]
fn a_circle_of_two_siblings_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    fs::create_dir_all(src.join("report")).unwrap();
    fs::write(src.join("lib.rs"), "mod caseload;\nmod report;\n").unwrap();
    fs::write(
        src.join("caseload.rs"),
        "use crate::report::{ledger::tally, Kpis};\n",
    )
    .unwrap();
    fs::write(src.join("report/mod.rs"), "mod ledger;\npub struct Kpis;\n").unwrap();
    fs::write(
        src.join("report/ledger.rs"),
        "use super::super::caseload::status_on;\n// use crate::nothing;\n",
    )
    .unwrap();
    let found = circles(src);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("caseload <-> report") || found[0].starts_with("report <-> caseload")
    );
    // A parent and its child using each other is not a circle.
    fs::write(src.join("caseload.rs"), "pub fn status_on() {}\n").unwrap();
    fs::write(
        src.join("report/mod.rs"),
        "mod ledger;\nuse ledger::tally;\npub struct Kpis;\n",
    )
    .unwrap();
    fs::write(
        src.join("report/ledger.rs"),
        "use super::Kpis;\npub fn tally() {}\n",
    )
    .unwrap();
    assert!(circles(src).is_empty());
}
