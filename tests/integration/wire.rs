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

/// SPEC v2 §4: `""` is an event name, an unknown one, reported as given.
#[test]
fn the_empty_name_is_an_unknown_event() {
    let r = rejection(r#"{"agent":"a","event":"","time":5}"#);
    assert_eq!(r.kind(), RejectionKind::UnknownEvent);
    assert_eq!(r.event(), Some(""));
    assert_eq!(r.agent(), Some("a"));
}

/// SPEC v2 §5: a non-null `message.call` that is not an object is malformed,
/// even beside a websocket `data.type` or native fields.
#[test]
fn an_envelope_whose_call_is_not_an_object_is_malformed() {
    let r = rejection(
        r#"{"message":{"call":"x"},"data":{"type":"Ready","agentId":"w"},"agent":"n","event":"Ready"}"#,
    );
    assert_eq!(r.kind(), RejectionKind::Malformed);
    assert_eq!((r.agent(), r.interaction(), r.event()), (None, None, None));
    assert!(accepted(
        r#"{"message":{"call":null},"data":{"type":null},"agent":"n","event":"Ready"}"#
    ));
}

/// SPEC v2 §9: in a report line, `event` is null when the record's event is not
/// a string, and `interaction` is the id the record itself names.
#[test]
fn a_report_names_what_the_record_says() {
    for line in [
        r#"{"agent":"a","event":5}"#,
        r#"{"agent":"a","event":["Ready"]}"#,
        r#"{"agent":"a","event":null}"#,
        r#"{"agent":"a"}"#,
        r#"{"data":{"type":{"x":1},"agentId":"a"}}"#,
    ] {
        let r = rejection(line);
        assert_eq!(r.kind(), RejectionKind::Malformed, "{line}");
        assert_eq!((r.event(), r.agent()), (None, Some("a")), "{line}");
    }
    // A record naming no interaction is matched to the agent's call, but its
    // report line names none.
    for mode in [Mode::Strict, Mode::Resync] {
        let mut replay = Replay::default().with_mode(mode);
        let log = [
            r#"{"agent":"a","event":"AgentOfferContact","interaction":"c1"}"#,
            r#"{"agent":"a","event":"eAgentContactHeld"}"#,
        ];
        feed(&mut replay, log[0].as_bytes());
        let Verdict::NotAccepted(r) = feed(&mut replay, log[1].as_bytes()) else {
            panic!("held in offered is illegal");
        };
        assert_eq!(r.kind(), RejectionKind::IllegalTransition);
        assert_eq!((r.interaction(), r.held()), (None, Some("c1")));
    }
    // An envelope's interaction is its interactionId, else message.call.id.
    let r = rejection(
        r#"{"message":{"call":{"id":"c9","event":"CustAnswered","ResponseActual":{"data":{"agentId":"a"}}}}}"#,
    );
    assert_eq!(
        (r.kind(), r.interaction()),
        (RejectionKind::NoActiveCall, Some("c9"))
    );
}
