//! The drawing as a Graphviz digraph.

use super::drawing::{walk, Drawing, Item, Node, CHOICE, GROUPS};
use super::{line, GENERATED};
use crate::model::vocabulary::Phase;

/// The machine as a Graphviz digraph, ending in a newline.
pub fn dot() -> String {
    let drawing = Drawing::from_table();
    let mut out = String::from("digraph callstate {\n");
    for setting in [
        format!("// {GENERATED}"),
        "compound=true;".to_owned(),
        "fontname=\"Helvetica\";".to_owned(),
        "rankdir=TB;".to_owned(),
        "node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];".to_owned(),
        "edge [fontname=\"Helvetica\", fontsize=9];".to_owned(),
        "start [shape=point, label=\"\"];".to_owned(),
        format!("\"{CHOICE}\" [shape=diamond, label=\"{CHOICE}\"];"),
    ] {
        line(&mut out, 1, format_args!("{setting}"));
    }
    walk(None, 1, &mut |item, depth| match item {
        Item::Phase(p) => {
            let label = dot_label(p.as_ref(), drawing.internal(Node::Phase(p)));
            line(
                &mut out,
                depth,
                format_args!("\"{p}\" [label=\"{label}\"];"),
            );
        }
        Item::Open(g) => {
            let id = GROUPS[g].id;
            let label = dot_label(id, drawing.internal(Node::Group(g)));
            line(
                &mut out,
                depth,
                format_args!("subgraph \"cluster_{id}\" {{"),
            );
            line(&mut out, depth + 1, format_args!("label=\"{label}\";"));
            line(&mut out, depth + 1, format_args!("labeljust=l;"));
            line(&mut out, depth + 1, format_args!("style=rounded;"));
        }
        Item::Close => line(&mut out, depth, format_args!("}}")),
    });
    line(&mut out, 1, format_args!("start -> \"{}\";", Phase::Ready));
    for ((from, to), labels) in &drawing.edges {
        let label = dot_lines(labels, "\\n");
        let attributes = match from {
            Node::Group(g) => format!("ltail=\"cluster_{}\", label=\"{label}\"", GROUPS[*g].id),
            _ => format!("label=\"{label}\""),
        };
        let tail = from.dot_id();
        line(
            &mut out,
            1,
            format_args!("\"{tail}\" -> \"{to}\" [{attributes}];"),
        );
    }
    out.push_str("}\n");
    out
}

impl Node {
    /// The Graphviz node an edge leaving this node starts from: a group's edges
    /// start at its first phase and are clipped to the cluster (`ltail`).
    pub(super) fn dot_id(self) -> String {
        match self {
            Node::Group(_) => self
                .phases()
                .iter()
                .next()
                .map_or(CHOICE.into(), |p| p.to_string()),
            _ => self.to_string(),
        }
    }
}

/// A dot label: a title, then the internal transitions left-aligned.
fn dot_label(title: &str, internal: &[String]) -> String {
    if internal.is_empty() {
        return dot_escape(title);
    }
    format!(
        "{}\\n\\n{}\\l",
        dot_escape(title),
        dot_lines(internal, "\\l")
    )
}

pub(super) fn dot_lines(lines: &[String], separator: &str) -> String {
    let escaped: Vec<String> = lines.iter().map(|l| dot_escape(l)).collect();
    escaped.join(separator)
}

pub(super) fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_is_balanced() {
        let dot = dot();
        let mut open: Vec<char> = Vec::new();
        let mut in_string = false;
        let mut escaped = false;
        for c in dot.chars() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '{' | '[' => open.push(c),
                '}' => assert_eq!(open.pop(), Some('{')),
                ']' => assert_eq!(open.pop(), Some('[')),
                _ => {}
            }
        }
        assert!(!in_string && open.is_empty());
        assert!(dot.starts_with("digraph callstate {\n") && dot.ends_with("}\n"));
    }
}
