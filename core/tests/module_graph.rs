//! The files of `core/src/db/` import each other without a circle: each names the sibling
//! modules it uses (`super::name`), and following those names never leads back. (A circle
//! was `deletes`, `flush`, `route` and `segref` through the file names kept in `flush`;
//! the directory layout now lives in `core/src/dir.rs`.) Comment lines are skipped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the sibling modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && name != "mod" {
            modules.insert(name.to_owned(), std::fs::read_to_string(&path).unwrap());
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| {
            let mut uses = BTreeSet::new();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (i, _) in line.match_indices("super::") {
                    let rest = &line[i + "super::".len()..];
                    let ident: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if names.contains(&ident) && &ident != name {
                        uses.insert(ident);
                    }
                }
            }
            (name.clone(), uses)
        })
        .collect()
}

/// A circle reachable from `from`, if any, as the path that closes it.
fn circle(
    g: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|m| m == from) {
        let mut c = path[at..].to_vec();
        c.push(from.to_owned());
        return Some(c);
    }
    if done.contains(from) {
        return None;
    }
    path.push(from.to_owned());
    for next in g.get(from).into_iter().flatten() {
        if let Some(c) = circle(g, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(from.to_owned());
    None
}

#[test]
fn db_modules_import_without_a_circle() {
    let g = graph();
    assert!(g.len() > 10, "found only {:?}", g.keys());
    assert!(
        g["flush"].contains("deletes"),
        "the parser finds imports: {:?}",
        g["flush"]
    );
    let mut done = BTreeSet::new();
    for m in g.keys() {
        if let Some(c) = circle(&g, m, &mut Vec::new(), &mut done) {
            panic!("an import circle among core/src/db: {}", c.join(" -> "));
        }
    }
}
