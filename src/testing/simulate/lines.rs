//! How a simulator hands out what it generated: whole lines kept in a buffer,
//! given one at a time or in chunks, and written to a writer with the truth of
//! what was injected. Shared by [`super::Simulator`] and
//! [`super::webex::Simulator`].

use super::{InjectedFault, LogSummary};
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
    mut truth: Option<&mut dyn Write>,
) -> io::Result<LogSummary> {
    while let Some(bytes) = lines.chunk(chunk) {
        out.write_all(bytes)?;
        if let Some(truth) = truth.as_mut() {
            for fault in lines.take_truth() {
                serde_json::to_writer(&mut **truth, &fault)?;
                truth.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    if let Some(truth) = truth {
        truth.flush()?;
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
}
