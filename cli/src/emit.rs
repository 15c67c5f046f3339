//! `callstate emit`: an OutboundCallStateChange event (SPEC §6) per applied
//! transition on stdout; the records not accepted on stderr, as `replay --json`
//! lines.

use super::inputs::{input_error, Inputs};
use super::output::{self, say};
use super::replay::verdict;
use super::{EmitArgs, EXIT_ERROR};
use callstate::replay::{self, for_each_line, Applied, Replay, Verdict};
use callstate::wire::outbound::{Carried, OutboundCallStateChange};
use std::io::{self, Write};

pub(super) fn run(args: &EmitArgs) -> io::Result<i32> {
    let input = &args.input;
    let Some(mut inputs) = Inputs::open(&input.files) else {
        return Ok(EXIT_ERROR);
    };
    let mut out = output::stdout();
    let mut err = output::stderr();
    let mut replay = Replay::new(input.initial.into()).with_mode(input.mode());
    let mut write_error: io::Result<()> = Ok(());
    let error = for_each_line(
        inputs.take_sources(),
        input.max_line_bytes,
        &mut replay,
        |replay, line| {
            let verdict = replay.feed_with(line, |applied| {
                let event = match applied {
                    Applied::Inferred(inferred) => OutboundCallStateChange::inferred(inferred),
                    Applied::Record(a) => {
                        let carried = Carried::from_text(a.carried);
                        OutboundCallStateChange::new(
                            a.transition,
                            a.call,
                            carried.with_reservation(a.record.reservation),
                        )
                    }
                };
                if write_error.is_ok() {
                    write_error = serde_json::to_writer(&mut out, &event)
                        .map_err(io::Error::from)
                        .and_then(|()| out.write_all(b"\n"));
                }
            });
            std::mem::replace(&mut write_error, Ok(()))?;
            if let Verdict::NotAccepted(r) = verdict {
                replay::write_json_violation(&mut err, replay.line(), &r)?;
            }
            Ok(())
        },
    )?;
    out.flush()?;
    err.flush()?;
    drop(err); // unlocks stderr for the messages below
    if let Some(e) = &error {
        say(input_error(e, Some(&replay)));
    }
    let summary = replay.summary();
    inputs.hint_pretty_json(&summary);
    Ok(verdict(&summary, input.allow_unknown, error.as_ref()))
}
