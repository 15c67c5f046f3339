//! The folders of `src/` are layers, and a layer never reaches up: every path in
//! a module's code (its unit tests included) that leaves its folder — `crate::…`,
//! or a `super::` chain that climbs to the crate root — must name its own folder
//! or a lower layer. Siblings (same rank, different folders) do not import
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

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The names at the crate root that the paths of `code` reach, for a module
/// `depth` levels below the root (`src/model/mod.rs` is 1, `src/model/walk.rs`
/// 2): the first segment after each `crate::`, and after each `super::` chain
/// that climbs to the root, counting the inline `mod name { … }` it sits in.
/// Group members (`use crate::{model::table, wire}`, `super::{super::wire}`) are
/// followed one by one.
fn root_paths(code: &str, depth: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut inline = Vec::new(); // per open brace: does it open an inline module?
    for (at, c) in code.char_indices() {
        match c {
            '{' => inline.push(opens_module(&code[..at])),
            '}' => {
                inline.pop();
            }
            _ => {}
        }
        let before = code[..at].chars().next_back();
        if before.is_some_and(|b| is_ident(b) || b == ':') || !is_ident(c) {
            continue;
        }
        let rest = &code[at..];
        let here = depth + inline.iter().filter(|&&m| m).count();
        if let Some(path) = rest.strip_prefix("crate::") {
            reached(0, path, &mut found);
        } else if rest.starts_with("super::") || rest.starts_with("self::") {
            reached(here, rest, &mut found);
        }
    }
    found
}

/// Does the code before a `{` end with `mod name`?
fn opens_module(before: &str) -> bool {
    let before = before.trim_end();
    let name = before.trim_end_matches(is_ident);
    name.len() < before.len()
        && name
            .trim_end()
            .strip_suffix("mod")
            .is_some_and(|head| !head.ends_with(is_ident) && name.ends_with(char::is_whitespace))
}

/// Follows `path`, read in a module `depth` levels below the root, and adds the
/// root names it reaches to `found`.
fn reached(depth: usize, path: &str, found: &mut Vec<String>) {
    let path = path.trim_start();
    if let Some(rest) = path.strip_prefix("self::") {
        reached(depth, rest, found);
    } else if let Some(rest) = path.strip_prefix("super::") {
        match depth {
            // Above the root: not Rust, the compiler says so.
            0 => {}
            _ => reached(depth - 1, rest, found),
        }
    } else if let Some(group) = path.strip_prefix('{') {
        for member in members(group) {
            reached(depth, member, found);
        }
    } else if depth == 0 {
        let name = &path[..path.find(|c: char| !is_ident(c)).unwrap_or(path.len())];
        // `pub(in super::super)` restricts visibility, it imports nothing.
        if name != "super" {
            found.push(name.to_owned());
        }
    }
}

/// The members of a `{a, b::{c, d}}` group, given the text after its `{`.
fn members(group: &str) -> Vec<&str> {
    let mut members = Vec::new();
    let (mut nested, mut start) = (0, 0);
    for (at, c) in group.char_indices() {
        match c {
            '{' => nested += 1,
            '}' if nested == 0 => {
                members.push(&group[start..at]);
                break;
            }
            '}' => nested -= 1,
            ',' if nested == 0 => {
                members.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    members.retain(|m| !m.trim().is_empty());
    members
}

/// `text` with its comments (doc links may point anywhere), string and
/// character literals blanked, so that paths and braces are read from code only.
fn code_of(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        // A literal's prefix (`b`, `br`, `c`) is no identifier of its own.
        let word_before = chars[..i]
            .iter()
            .rev()
            .take_while(|&&c| is_ident(c))
            .count();
        let prefix_only = chars[i - word_before..i]
            .iter()
            .all(|&c| matches!(c, 'b' | 'c' | 'r'));
        let raw_hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
        let end = if c == '/' && next == Some('/') {
            chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| i + n)
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                match (chars[j], chars.get(j + 1)) {
                    ('/', Some('*')) => (depth, j) = (depth + 1, j + 2),
                    ('*', Some('/')) => (depth, j) = (depth - 1, j + 2),
                    _ => j += 1,
                }
                if depth == 0 {
                    break;
                }
            }
            j
        } else if c == 'r' && prefix_only && chars.get(i + 1 + raw_hashes) == Some(&'"') {
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', raw_hashes))
                .collect();
            let body = i + 2 + raw_hashes;
            (body..chars.len())
                .find(|&j| chars[j..].starts_with(&close))
                .map_or(chars.len(), |j| j + close.len())
        } else if c == '"' && prefix_only {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            j + 1
        } else if c == '\'' && next == Some('\\') {
            // An escaped character: `'\n'`, `'\''`, `'\u{7f}'`.
            (i + 3..chars.len())
                .find(|&j| chars[j] == '\'')
                .map_or(chars.len(), |j| j + 1)
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i + 3
        } else {
            // Code, or a lifetime's `'`.
            out.push(c);
            i += 1;
            continue;
        };
        let end = end.min(chars.len());
        out.extend(chars[i..end].iter().map(|&c| blank(c)));
        i = end;
    }
    out
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
            // lib.rs: the crate root wires the layers together.
            assert!(
                first == "lib.rs",
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
        // src/model/mod.rs is the module `model`, src/model/walk.rs `model::walk`.
        let depth = relative.components().count() - usize::from(relative.ends_with("mod.rs"));
        let code = code_of(&text);
        // Inline modules are found by their braces: a literal misread would shift them.
        assert_eq!(
            code.matches('{').count(),
            code.matches('}').count(),
            "src/{}: unbalanced braces outside literals",
            relative.display()
        );
        for target in root_paths(&code, depth) {
            let ok = match rank(&target) {
                _ if target == first => true,
                Some(r) => r < own,
                // Through the root's re-exports, the layer is hidden: name it.
                None => false,
            };
            if !ok {
                violations.push(format!(
                    "src/{}: reaches `crate::{target}` ({first} may use only lower layers, by folder)",
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
    let code = "use crate::engine::Engine;\nuse crate::{model::table, wire};\npub(crate) fn f() { crate::testing::run(); }";
    assert_eq!(root_paths(code, 2), ["engine", "model", "wire", "testing"]);
    assert_eq!(root_paths(&code_of("// crate::testing\nx"), 2), [""; 0]);
}

#[test]
fn the_check_follows_super_chains_out_of_a_layer() {
    // From src/model/walk.rs (depth 2), two steps testingmb to the root.
    let code =
        "use super::table;\nuse super::super::testing::run;\nfn f() { super::super::wire::parse(); }";
    assert_eq!(root_paths(code, 2), ["testing", "wire"]);
    // From a layer's top file, src/model/mod.rs (depth 1), one step does.
    assert_eq!(root_paths("use super::engine::Engine;", 1), ["engine"]);
    // Through a group, and through `self::`.
    let code =
        "use super::{table, super::{replay, derived::graph}};\nuse self::super::super::testing;";
    assert_eq!(root_paths(code, 2), ["replay", "derived", "testing"]);
    // `pub(super)` and `pub(in super::super)` restrict visibility; they import nothing.
    assert_eq!(
        root_paths("pub(super) fn f() {}\npub(in super::super) fn g() {}", 2),
        [""; 0]
    );
}

#[test]
fn the_check_counts_inline_modules() {
    // In src/wire/scan.rs, `mod tests`' `super::super` is `wire`: inside the layer.
    let code = "fn f() {}\n#[cfg(test)]\nmod tests {\n    use super::super::{parse, Numbers};\n    use super::*;\n}";
    assert_eq!(root_paths(code, 2), [""; 0]);
    // After the module closes, a chain counts from the file's module again.
    let code = "mod tests { use super::super::Numbers; }\nuse super::super::testing;";
    assert_eq!(root_paths(code, 2), ["testing"]);
    // In src/model/mod.rs, `mod tests { use super::super::wire; }` testingmbs to the root.
    assert_eq!(
        root_paths("mod tests { use super::super::wire; }", 1),
        ["wire"]
    );
}

#[test]
fn the_check_reads_code_not_literals_or_comments() {
    let text = "let a = '{'; let b = \"}} crate::testing\"; let c = r#\"\" crate::testing {\"#;\n\
                /* crate::testing /* nested */ } */ let d = b'\\''; let e: &'static str = \"\\\"{\";\n\
                mod tests { use super::super::testing; } // super::super::testing";
    let code = code_of(text);
    assert!(
        code.contains("let a =") && code.contains("&'static str"),
        "{code}"
    );
    assert_eq!(root_paths(&code, 1), ["testing"]);
}
