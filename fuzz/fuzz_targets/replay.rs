//! Any bytes as a log, replayed single-threaded (`replay::for_each_line` and
//! `Replay::feed`) and through `replay::parallel::replay`: every verdict (its line
//! and everything it says), how the replay ended, the `--json` summary and the
//! final engine must be the same, byte for byte, in both modes.
//!
//! The first byte of the input is not log but the configuration:
//!
//! | bits | chooses |
//! |---|---|
//! | 0–1 | `--max-line-bytes`: 8, 64, 4096 or no limit |
//! | 2 | agents start `idle` (else `ready`) |
//! | 3–4 | parser threads: 1, 2, 3 (3 again for the fourth value) |
//! | 5 | the log is given as two inputs, cut in the middle (else one) |
//!
//! Both `Mode::Strict` and `Mode::Resync` run on every input.
#![no_main]

use callstate::replay::{self, parallel, Replay, ReplayOptions, Verdict};
use callstate::wire::input::{InputError, Source};
use callstate::{Availability, Mode};
use libfuzzer_sys::fuzz_target;
use std::io;

const LIMITS: [usize; 4] = [8, 64, 4096, usize::MAX];

fuzz_target!(|data: &[u8]| {
    let Some((&config, log)) = data.split_first() else {
        return;
    };
    let max_line = LIMITS[usize::from(config & 3)];
    let initial = if config & 4 != 0 {
        Availability::Idle
    } else {
        Availability::Ready
    };
    let jobs = usize::from((config >> 3) & 3).clamp(1, 3);
    let parts: Vec<&[u8]> = if config & 32 != 0 {
        let (a, b) = log.split_at(log.len() / 2);
        vec![a, b]
    } else {
        vec![log]
    };
    for mode in [Mode::Strict, Mode::Resync] {
        let mut single = Replay::new(initial).with_mode(mode);
        let mut one = Vec::new();
        let ended = match sources(&parts) {
            Ok(sources) => replay::for_each_line(sources, max_line, &mut single, |r, line| {
                let verdict = r.feed(line);
                note(&mut one, r, &verdict);
                Ok(())
            }),
            Err(e) => Ok(Some(e)),
        };
        ending(&mut one, &single, ended);

        let mut piped = Replay::new(initial).with_mode(mode);
        let mut many = Vec::new();
        let ended = match sources(&parts) {
            Ok(sources) => {
                let options = ReplayOptions::default()
                    .with_jobs(jobs)
                    .with_max_line_bytes(max_line);
                parallel::replay(sources, &options, &mut piped, |r, verdict| {
                    note(&mut many, r, &verdict);
                    Ok(())
                })
            }
            Err(e) => Ok(Some(e)),
        };
        ending(&mut many, &piped, ended);

        if one != many {
            panic!(
                "{mode:?}, {jobs} jobs, max line {max_line}: the reports differ\n\
                 --- one thread\n{}\n--- pipeline\n{}",
                String::from_utf8_lossy(&one),
                String::from_utf8_lossy(&many),
            );
        }
        assert_eq!(single.summary(), piped.summary());
        assert!(single.engine() == piped.engine(), "the engines differ");
    }
});

/// The inputs, as the command line opens them (gzip sniffed per input).
fn sources(parts: &[&[u8]]) -> Result<Vec<Source>, InputError> {
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| Source::from_reader(&format!("input{i}"), io::Cursor::new(part.to_vec())))
        .collect()
}

/// One verdict: its line number and all it says (the `--json` object too, for a
/// record that was not accepted).
fn note(out: &mut Vec<u8>, replay: &Replay, verdict: &Verdict) {
    out.extend_from_slice(format!("{}: {verdict:?}\n", replay.line()).as_bytes());
    if let Verdict::NotAccepted(r) = verdict {
        replay::write_json_violation(out, replay.line(), r).expect("writing to a Vec");
    }
}

/// How the replay ended, then the `--json` summary.
fn ending(out: &mut Vec<u8>, replay: &Replay, ended: io::Result<Option<InputError>>) {
    let end = match ended {
        Ok(None) => "end".to_owned(),
        Ok(Some(e)) => e.to_string(),
        Err(e) => format!("each failed: {e}"),
    };
    out.extend_from_slice(end.as_bytes());
    out.push(b'\n');
    replay::write_json_summary(out, &replay.summary()).expect("writing to a Vec");
}
