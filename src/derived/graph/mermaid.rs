//! The drawing as a Mermaid `stateDiagram-v2`.

use super::drawing::{parent, walk, Drawing, Item, Node, CHOICE, GROUPS};
use super::{line, GENERATED};
use crate::model::vocabulary::Phase;

/// The machine as a Mermaid `stateDiagram-v2`, ending in a newline.
pub fn mermaid() -> String {
    let drawing = Drawing::from_table();
    let mut out = String::from("stateDiagram-v2\n");
    line(&mut out, 1, format_args!("%% {GENERATED}"));
    line(&mut out, 1, format_args!("state {CHOICE} <<choice>>"));
    line(&mut out, 1, format_args!("[*] --> {}", Phase::Ready));
    walk(None, 1, &mut |item, depth| match item {
        Item::Phase(p) => mermaid_state(&mut out, depth, p, drawing.internal(Node::Phase(p))),
        Item::Open(g) => line(&mut out, depth, format_args!("state {} {{", GROUPS[g].id)),
        Item::Close => line(&mut out, depth, format_args!("}}")),
    });
    for (group, labels) in drawing.group_internals() {
        // Notes on nested sets go right, on outer ones left, so the two do not stack.
        let side = if parent(group).is_some() {
            "right"
        } else {
            "left"
        };
        line(
            &mut out,
            1,
            format_args!("note {side} of {}", GROUPS[group].id),
        );
        for label in labels {
            line(&mut out, 2, format_args!("{label}"));
        }
        line(&mut out, 1, format_args!("end note"));
    }
    for ((from, to), labels) in &drawing.edges {
        let label = labels.join("<br/>");
        line(&mut out, 1, format_args!("{from} --> {to} : {label}"));
    }
    out
}
/// A Mermaid state with its internal transitions. Mermaid titles a state with its
/// first description line, so a state with descriptions repeats its own name first.
fn mermaid_state(out: &mut String, depth: usize, phase: Phase, internal: &[String]) {
    if internal.is_empty() {
        return line(out, depth, format_args!("{phase}"));
    }
    line(out, depth, format_args!("{phase} : {phase}"));
    for label in internal {
        line(out, depth, format_args!("{phase} : {label}"));
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_labels_avoid_its_delimiters() {
        // A Mermaid description runs from `:` to the end of the line and stops at
        // `;`, `#` or another `:`.
        for line in mermaid().lines().skip(2) {
            let text = line.split_once(" : ").map_or("", |(_, text)| text);
            assert!(!text.contains([':', ';', '#']), "{line}");
        }
    }
}
