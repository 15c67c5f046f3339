//! The folders of `src/` are layers, and a layer never reaches up: every
//! `crate::…` path in a module's code (its unit tests included) must name its own
//! folder or a lower layer. Siblings (same rank, different folders) do not import
//! each other either. `docs/architecture.md` draws the same order.

use std::path::{Path, PathBuf};

/// The layers, lowest first: (folder, rank). Equal ranks are siblings.
const LAYERS: &[(&str, u8)] = &[
    ("model", 0),
    ("wire", 1),
    ("engine", 1),
    ("replay", 2),
    ("derived", 3),
    ("testing", 3),
    ("cli", 4),
];

fn rank(folder: &str) -> Option<u8> {
    LAYERS.iter().find(|(f, _)| *f == folder).map(|&(_, r)| r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first segment after each `crate::` in `code`, and the `{a, b}` group
/// members of a `use crate::{…}`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `pub(crate)` is followed by a space or `fn`, never `::`; an identifier
        // ending in `crate` (e.g. `subcrate::`) is not our crate.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            found.extend(
                group[..end]
                    .split(',')
                    .map(|m| m.trim().split("::").next().unwrap_or("").to_owned())
                    .filter(|m| !m.is_empty()),
            );
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            found.push(rest[..end].to_owned());
        }
    }
    found
}

/// Code without comments (`//` to the end of the line; doc links may point
/// anywhere).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_layer_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let mut parts = relative.components();
        let first = parts
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("");
        if parts.next().is_none() {
            // lib.rs and main.rs: the crate root wires the layers together.
            assert!(
                first == "lib.rs" || first == "main.rs",
                "{} is in no layer: put it in a folder of LAYERS",
                relative.display()
            );
            continue;
        }
        let Some(own) = rank(first) else {
            panic!("src/{first}/ is in no layer: add it to LAYERS");
        };
        let text = std::fs::read_to_string(file).expect("read source");
        checked += 1;
        for target in crate_paths(&code_of(&text)) {
            let ok = match rank(&target) {
                _ if target == first => true,
                Some(r) => r < own,
                // Through the root's re-exports, the layer is hidden: name it.
                None => false,
            };
            if !ok {
                violations.push(format!(
                    "src/{}: `crate::{target}` ({first} may use only lower layers, by folder)",
                    relative.display()
                ));
            }
        }
    }
    assert!(checked > 10, "only {checked} layered files found");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_check_sees_imports() {
    let code = "use crate::engine::Engine;\nuse crate::{model::table, wire};\npub(crate) fn f() { crate::cli::run(); }";
    assert_eq!(crate_paths(code), ["engine", "model", "wire", "cli"]);
    assert_eq!(
        crate_paths(&code_of("// crate::cli\nx")),
        Vec::<String>::new()
    );
}
