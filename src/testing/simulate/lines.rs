//! How a simulator hands out what it generated: whole lines kept in a buffer,
//! given one at a time or in chunks, and written to a writer with the truth of
//! what was injected. Shared by [`super::Simulator`] and
//! [`super::webex::Simulator`].

use super::{InjectedFault, LogSummary};
use crate::replay::calls::CallRecord;
use std::io::{self, Write};

/// A simulator's output buffer and how it is refilled.
pub(crate) trait Lines {
    /// The buffer of whole lines (each ending in `\n`), the position up to
    /// which they were handed out, how many lines are buffered and not handed
    /// out yet, and the summary whose `records` counts those handed out.
    fn parts(&mut self) -> (&mut Vec<u8>, &mut usize, &mut u64, &mut LogSummary);

    /// Generates until the buffer holds `min_bytes` or every line is generated.
    fn fill(&mut self, min_bytes: usize);

    /// The injected faults not taken yet.
    fn take_truth(&mut self) -> Vec<InjectedFault>;

    /// The calls finished and not taken yet, when their truth is kept.
    fn take_calls(&mut self) -> Vec<CallRecord> {
        Vec::new()
    }

    /// The calls under way, when their truth is kept.
    fn open_calls(&self) -> Vec<CallRecord> {
        Vec::new()
    }

    /// The next line, without its `\n`; `None` after the last line.
    fn line(&mut self) -> Option<&[u8]> {
        let (buf, pos, _, _) = self.parts();
        if *pos >= buf.len() {
            buf.clear();
            *pos = 0;
            self.fill(1);
        }
        let (buf, pos, buffered, summary) = self.parts();
        let rest = buf.get(*pos..).filter(|r| !r.is_empty())?;
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let start = *pos;
        *pos += len + 1;
        *buffered -= 1;
        summary.records += 1;
        Some(&buf[start..start + len])
    }

    /// The next lines, each with its `\n`, about `chunk` bytes of them.
    fn chunk(&mut self, chunk: usize) -> Option<&[u8]> {
        let (buf, pos, _, _) = self.parts();
        if *pos >= buf.len() {
            buf.clear();
            *pos = 0;
            self.fill(chunk);
        }
        let (buf, pos, buffered, summary) = self.parts();
        let start = *pos;
        if start >= buf.len() {
            return None;
        }
        *pos = buf.len();
        summary.records += *buffered;
        *buffered = 0;
        Some(&buf[start..])
    }
}

/// Writes every line of `lines` to `out` in chunks of about `chunk` bytes and,
/// when `truth` is given, each injected fault to it as a JSON line; flushes.
pub(crate) fn pump(
    lines: &mut impl Lines,
    chunk: usize,
    out: &mut impl Write,
    truth: Option<&mut dyn Write>,
) -> io::Result<LogSummary> {
    pump_with_calls(lines, chunk, out, truth, None)
}

/// [`pump`], also writing each call's truth to `calls` as a JSON line: each
/// finished call, then those under way at the end.
pub(crate) fn pump_with_calls(
    lines: &mut impl Lines,
    chunk: usize,
    out: &mut impl Write,
    mut truth: Option<&mut dyn Write>,
    mut calls: Option<&mut dyn Write>,
) -> io::Result<LogSummary> {
    fn json_line(to: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut *to, value)?;
        to.write_all(b"\n")
    }
    while let Some(bytes) = lines.chunk(chunk) {
        out.write_all(bytes)?;
        if let Some(truth) = truth.as_mut() {
            for fault in lines.take_truth() {
                json_line(&mut **truth, &fault)?;
            }
        }
        if let Some(calls) = calls.as_mut() {
            for call in lines.take_calls() {
                json_line(&mut **calls, &call)?;
            }
        }
    }
    out.flush()?;
    if let Some(truth) = truth {
        truth.flush()?;
    }
    if let Some(calls) = calls {
        for call in lines.open_calls() {
            json_line(&mut *calls, &call)?;
        }
        calls.flush()?;
    }
    Ok(*lines.parts().3)
}

impl Lines for super::Simulator {
    fn parts(&mut self) -> (&mut Vec<u8>, &mut usize, &mut u64, &mut LogSummary) {
        (
            &mut self.buf,
            &mut self.pos,
            &mut self.buffered,
            &mut self.summary,
        )
    }

    fn fill(&mut self, min_bytes: usize) {
        super::Simulator::fill(self, min_bytes);
    }

    fn take_truth(&mut self) -> Vec<InjectedFault> {
        super::Simulator::take_truth(self)
    }

    fn take_calls(&mut self) -> Vec<CallRecord> {
        super::Simulator::take_calls(self)
    }

    fn open_calls(&self) -> Vec<CallRecord> {
        super::Simulator::open_calls(self)
    }
}
