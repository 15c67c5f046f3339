//! The wire as replay reads it (SPEC v2 §5, §7, §9): which lines are blank, which
//! are records, and what a record's report line names — one test per settled
//! corner, through the public `Replay::feed`.

use callstate::replay::{Replay, Verdict};
use callstate::wire::input::Line;
use callstate::{Mode, Rejection, RejectionKind};

fn feed(replay: &mut Replay, line: &[u8]) -> Verdict {
    replay.feed(Line::Text(line))
}

fn verdict(line: &[u8]) -> Verdict {
    feed(&mut Replay::default(), line)
}

fn rejection(line: &str) -> Rejection {
    match verdict(line.as_bytes()) {
        Verdict::NotAccepted(r) => r,
        other => panic!("{line}: {other:?}"),
    }
}

fn accepted(line: &str) -> bool {
    matches!(verdict(line.as_bytes()), Verdict::Accepted(_))
}

/// SPEC §7: blank = empty, or only spaces, tabs and carriage returns, in any order.
#[test]
fn blank_lines_are_only_spaces_tabs_and_carriage_returns() {
    for blank in ["", " ", "\t", "\r", "\r\r", " \t\r \t", "\t\t\t", "\r \r"] {
        assert!(
            matches!(verdict(blank.as_bytes()), Verdict::Blank),
            "{blank:?}"
        );
    }
    // Other whitespace makes a record, malformed as not JSON.
    for not_blank in [
        "\u{b}",
        "\u{c}",
        " \u{b} ",
        "\t\u{c}\r",
        "\u{a0}",
        "\u{a0}\u{a0} ",
        "\u{85}",
        "\u{2028}",
        "\u{3000}",
        "\u{feff}",
        "\0",
    ] {
        let r = rejection(not_blank);
        assert_eq!(r.kind(), RejectionKind::Malformed, "{not_blank:?}");
    }
    // Bytes that are not UTF-8 are not blank either.
    assert!(matches!(
        verdict(b" \xa0 "),
        Verdict::NotAccepted(r) if r.kind() == RejectionKind::Malformed
    ));
    // Blank lines count for `line`, not as records.
    let mut replay = Replay::default();
    feed(&mut replay, b" \t");
    feed(&mut replay, b"\x0c");
    assert_eq!(replay.line(), 2);
    assert_eq!(
        (replay.summary().records, replay.summary().malformed),
        (1, 1)
    );
}
