//! Writing to stdout and stderr, and what a failed write means.
//!
//! No failed write panics (`println!` and `eprintln!` do, so the command line uses
//! neither). Every write goes through a [`Labeled`] writer, so an error that comes
//! back up through the replay says which stream failed:
//!
//! - stdout closed by its reader (`| head -1`): the run ends at once, quietly (no
//!   message, as ripgrep does). The exit code is decided by what the command
//!   knew, never by how much output fit in the pipe (see [`exit_code`]).
//! - stdout failing otherwise (a full disk, `>/dev/full`): a message on stderr,
//!   exit 2.
//! - stderr failing (`2>/dev/full`): exit 2, without a message — there is nowhere
//!   to write one.

use std::fmt;
use std::io::{self, BufWriter, Write};

use super::{EXIT_ERROR, EXIT_OK};

/// One of the two output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stream {
    Stdout,
    Stderr,
}

/// An I/O error of a [`Labeled`] writer: which stream failed, and why.
#[derive(Debug)]
struct Failed {
    stream: Stream,
    source: io::Error,
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for Failed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A writer whose errors carry the stream they happened on (same kind).
pub(super) struct Labeled<W> {
    inner: W,
    stream: Stream,
}

impl<W: Write> Labeled<W> {
    fn label(&self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::Interrupted {
            return e; // retried by write_all and BufWriter
        }
        io::Error::new(
            e.kind(),
            Failed {
                stream: self.stream,
                source: e,
            },
        )
    }
}

impl<W: Write> Write for Labeled<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.label(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.label(e))
    }
}

/// Buffered, labeled stdout.
pub(super) fn stdout() -> BufWriter<Labeled<io::StdoutLock<'static>>> {
    BufWriter::with_capacity(
        1 << 16,
        Labeled {
            inner: io::stdout().lock(),
            stream: Stream::Stdout,
        },
    )
}

/// Buffered, labeled stderr.
pub(super) fn stderr() -> BufWriter<Labeled<io::StderrLock<'static>>> {
    BufWriter::new(Labeled {
        inner: io::stderr().lock(),
        stream: Stream::Stderr,
    })
}

/// Says `message` on stderr after `callstate: `. A stderr that cannot be written
/// is let be: the exit code is all that is left to say it with.
pub(super) fn say(message: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "callstate: {message}");
}

/// Which stream an error of a [`Labeled`] writer happened on (`None` for any
/// other error).
fn stream_of(e: &io::Error) -> Option<Stream> {
    let failed = e.get_ref()?.downcast_ref::<Failed>()?;
    Some(failed.stream)
}

/// Did stdout's reader go away (`| head -1`)?
pub(super) fn is_closed_stdout(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe && stream_of(e) == Some(Stream::Stdout)
}

/// What the run's exit code is after `e`, said on stderr if that is needed and
/// possible. `judges` is whether the command judges records (replay, emit): if
/// its stdout is closed before it could read the whole input, the verdict is not
/// known and it exits 2. Commands that judge nothing (paths, graph, simulate)
/// exit 0: their reader took what it wanted.
pub(super) fn exit_code(e: &io::Error, judges: bool) -> i32 {
    match stream_of(e) {
        Some(Stream::Stdout) if e.kind() == io::ErrorKind::BrokenPipe => {
            if judges {
                EXIT_ERROR
            } else {
                EXIT_OK
            }
        }
        Some(Stream::Stdout) => {
            say(format_args!("cannot write the output: {e}"));
            EXIT_ERROR
        }
        Some(Stream::Stderr) => EXIT_ERROR,
        None => {
            say(e);
            EXIT_ERROR
        }
    }
}

/// A file written by a subcommand besides stdout (`simulate --truth`,
/// `replay --calls`): created at once, buffered; its errors name it (stdout's
/// say "the output"), and go the way of any other error: exit 2.
pub(super) struct NamedFile<'a>(BufWriter<std::fs::File>, &'a std::path::Path);

impl<'a> NamedFile<'a> {
    /// Creates (or truncates) the file at `path`.
    pub(super) fn create(path: &'a std::path::Path) -> io::Result<NamedFile<'a>> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let file = std::fs::File::create(path).map_err(named)?;
        Ok(NamedFile(BufWriter::new(file), path))
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("cannot write {}: {e}", self.1.display()))
    }
}

impl Write for NamedFile<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(|e| self.named(e))
    }
}
