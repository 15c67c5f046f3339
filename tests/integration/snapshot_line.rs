//! SPEC v3 §7's snapshot line: an accepted `AgentContact` (§3.5) that was not
//! kept gets a report line of kind `snapshot`, in both modes, without being a
//! rejection; in resync mode it touches the ids.

use callstate::replay::{Ending, HumanReport, Replay, ReplayOptions, Verdict};
use callstate::wire::input::Line;
use callstate::Mode;

const OFFER: &str = r#"{"agent":"a","interaction":"c1","event":"AgentOfferContact","time":1}"#;
const ANSWER: &str = r#"{"agent":"a","interaction":"c1","event":"CustAnswered","time":2}"#;

fn snapshot(interaction: &str, state: &str) -> String {
    format!(
        r#"{{"data":{{"type":"AgentContact","agentId":"a","interactionId":"{interaction}","eventTime":3,"interaction":{{"state":"{state}"}}}}}}"#
    )
}

/// Feeds `lines`; the snapshot lines as JSON values, `message` removed.
fn feed(replay: &mut Replay, lines: &[&str]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for line in lines {
        let verdict = replay.feed(Line::Text(line.as_bytes()));
        assert!(
            matches!(verdict, Verdict::Accepted(_)),
            "{line}: {verdict:?}"
        );
        if let Some(s) = replay.take_snapshot_line() {
            let json = s.to_json();
            let keys = [
                "line",
                "kind",
                "agent",
                "interaction",
                "event",
                "state",
                "message",
            ];
            let at: Vec<usize> = keys
                .iter()
                .map(|k| json.find(&format!("\"{k}\":")).expect(k))
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "§7's key order: {json}");
            let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v.as_object().unwrap().len(), keys.len(), "{json}");
            v.as_object_mut().unwrap().remove("message");
            out.push(v);
        }
    }
    out
}

#[test]
fn a_snapshot_that_differed_gets_a_line_in_both_modes() {
    for mode in [Mode::Strict, Mode::Resync] {
        let mut replay = ReplayOptions::default().with_mode(mode).start();
        // connected is compatible with a `connected` snapshot: kept, no line.
        let kept = snapshot("c1", "connected");
        assert!(feed(&mut replay, &[OFFER, ANSWER, &kept]).is_empty());
        // `hold` is not compatible with connected: the snapshot sets the agent.
        let differed = snapshot("c1", "hold");
        let lines = feed(&mut replay, &[&differed]);
        assert_eq!(
            lines,
            [
                serde_json::json!({"line": 4, "kind": "snapshot", "agent": "a",
                "interaction": "c1", "event": "AgentContact", "state": "connected"})
            ],
            "{mode:?}"
        );
        let summary = replay.summary();
        assert_eq!(
            (summary.accepted, summary.rejected),
            (4, 0),
            "not a rejection"
        );
        assert_eq!(replay.engine().phase_of("a"), callstate::Phase::Hold);
        // The report for a person shows it.
        let mut human = HumanReport::new(5);
        let mut replay2 = ReplayOptions::default().with_mode(mode).start();
        for line in [OFFER, ANSWER, &differed] {
            replay2.feed(Line::Text(line.as_bytes()));
            if let Some(s) = replay2.take_snapshot_line() {
                human.note_snapshot(s);
            }
        }
        let mut text = Vec::new();
        human
            .write(&mut text, &replay2, false, Ending::Whole)
            .unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("snapshots that differed"), "{text}");
        assert!(text.contains("line 3: agent a"), "{text}");
    }
}

#[test]
fn in_resync_mode_it_touches_the_named_and_the_held_call() {
    let mut replay = ReplayOptions::default().with_mode(Mode::Resync).start();
    let other = snapshot("c2", "connected");
    let c3 = r#"{"agent":"b","interaction":"c3","event":"AgentOfferContact","time":1}"#;
    let lines = feed(&mut replay, &[OFFER, ANSWER, c3, &other]);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["interaction"], "c2");
    let summary = replay.summary();
    // c1 (held before) and c2 (named) are touched; c3 is clean.
    assert_eq!(summary.interactions, 3);
    assert_eq!(summary.clean_interactions, Some(1));
}
