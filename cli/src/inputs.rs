//! The inputs of `replay` and `emit`: opening them, the progress display, and
//! what is said on stderr about them (read errors, a pretty-printed document).

use super::output::say;
use callstate::replay::report::thousands;
use callstate::replay::{Replay, Summary};
use callstate::wire::input::{InputError, Source};
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How many first bytes of each input are kept to recognize a pretty-printed
/// JSON document.
const HEAD: usize = 4096;

/// The opened inputs, with what is watched while they are read.
pub(super) struct Inputs {
    sources: Vec<Source>,
    /// Each input's name and first bytes (as read, before any gzip decoding).
    heads: Vec<(String, Arc<Mutex<Vec<u8>>>)>,
    /// Bytes read from all inputs (before any gzip decoding).
    read: Arc<AtomicU64>,
    /// The inputs' total size, when every input is a file.
    total: Option<u64>,
}

impl Inputs {
    /// Opens every input before reading any, so that a wrong path fails fast;
    /// none (or `-`) is stdin. Says why not and returns `None` when one cannot be
    /// opened.
    pub(super) fn open(files: &[PathBuf]) -> Option<Inputs> {
        Inputs::try_open(files)
            .map_err(|e| say(input_error(&e, None)))
            .ok()
    }

    fn try_open(files: &[PathBuf]) -> Result<Inputs, InputError> {
        let stdin = Path::new("-");
        let stdin_only = [stdin.to_owned()];
        let files = if files.is_empty() { &stdin_only } else { files };
        if files.iter().any(|f| f == stdin) && io::stdin().is_terminal() {
            say("reading records from the terminal; end with Ctrl-D (give a FILE to read a log)");
        }
        let mut inputs = Inputs {
            sources: Vec::with_capacity(files.len()),
            heads: Vec::with_capacity(files.len()),
            read: Arc::default(),
            total: Some(0),
        };
        for path in files {
            let head = Arc::new(Mutex::new(Vec::new()));
            let tap = |inner| Tap {
                inner,
                read: Arc::clone(&inputs.read),
                head: Arc::clone(&head),
                headed: 0,
            };
            let source = if path == stdin {
                inputs.total = None;
                Source::from_reader(
                    "<stdin>",
                    tap(Box::new(io::stdin()) as Box<dyn Read + Send>),
                )?
            } else {
                let (file, len) = open_file(path)?;
                inputs.total = inputs.total.zip(len).map(|(a, b)| a + b);
                Source::from_reader(&path.display().to_string(), tap(Box::new(file)))?
            };
            inputs.heads.push((source.name().to_owned(), head));
            inputs.sources.push(source);
        }
        Ok(inputs)
    }

    /// How many inputs there are.
    pub(super) fn len(&self) -> usize {
        self.heads.len()
    }

    /// The inputs, to be read; what is watched stays.
    pub(super) fn take_sources(&mut self) -> Vec<Source> {
        std::mem::take(&mut self.sources)
    }

    /// A progress display for reading these inputs, drawn on stderr when `show`.
    pub(super) fn progress(&self, show: bool) -> Progress {
        Progress::new(show, self.total, Arc::clone(&self.read))
    }

    /// Says on stderr, when records were malformed, which input looks like one
    /// pretty-printed JSON document rather than one object per line.
    pub(super) fn hint_pretty_json(&self, summary: &Summary) {
        if summary.malformed == 0 {
            return;
        }
        for (name, head) in &self.heads {
            let head = head.lock().map(|h| h.clone()).unwrap_or_default();
            let Some(filter) = pretty_document(&head) else {
                continue;
            };
            let filter = if filter == "." { "." } else { "'.[]'" };
            let compact = if name == "<stdin>" {
                format!("… | jq -c {filter} | callstate replay")
            } else {
                format!("jq -c {filter} {name} | callstate replay")
            };
            say(format_args!(
                "{name} looks like a pretty-printed JSON document\nhint: records are one \
                 JSON object per line; compact them first:\n  {compact}"
            ));
            return;
        }
    }
}

/// Opens a file to read: a directory or a path that cannot be opened is an
/// error. Also its size, when it is a regular file.
fn open_file(path: &Path) -> Result<(File, Option<u64>), InputError> {
    if path.is_dir() {
        return Err(InputError::Directory {
            path: path.to_owned(),
        });
    }
    let file = File::open(path).map_err(|source| InputError::Open {
        path: path.to_owned(),
        source,
    })?;
    let len = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    Ok((file, len))
}

/// If `head` (an input's first bytes) starts like a pretty-printed JSON document
/// — its first non-blank line is `{` or `[` alone —, the `jq` filter that puts
/// one object per line.
fn pretty_document(head: &[u8]) -> Option<&'static str> {
    let first = head
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty())?;
    match first {
        b"{" => Some("."),
        b"[" => Some(".[]"),
        _ => None,
    }
}

/// A reader that counts the bytes read through it and keeps the first [`HEAD`].
struct Tap<R> {
    inner: R,
    read: Arc<AtomicU64>,
    head: Arc<Mutex<Vec<u8>>>,
    /// How many bytes `head` holds (so that the lock is taken only until full).
    headed: usize,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        if self.headed < HEAD && n > 0 {
            let take = n.min(HEAD - self.headed);
            if let Ok(mut head) = self.head.lock() {
                head.extend_from_slice(&buf[..take]);
            }
            self.headed += take;
        }
        Ok(n)
    }
}

/// What an input error is, in words, with a hint. The line of a read error is
/// given within its input, as `replay` (if it has read any) locates it.
pub(super) fn input_error(e: &InputError, replay: Option<&Replay>) -> String {
    match e {
        InputError::Open { .. } => format!("{e}\nhint: check the path; give - to read stdin"),
        InputError::Read { name, line, source } => {
            let local = replay
                .and_then(|r| r.locate(*line))
                .filter(|(input, _)| input == name)
                .map_or(0, |(_, local)| local);
            let at = if local == 0 {
                "before its first line".to_owned()
            } else {
                format!("after its line {}", thousands(local))
            };
            format!(
                "error reading {name} {at}: {source}\nhint: the report covers the lines \
                 read before the error"
            )
        }
        _ => e.to_string(),
    }
}

/// A progress display on stderr: lines read, the rate, and when the inputs'
/// size is known (files, not stdin) the share read and the time left.
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    read: Arc<AtomicU64>,
}

impl Progress {
    fn new(show: bool, total: Option<u64>, read: Arc<AtomicU64>) -> Progress {
        let bar = show.then(|| {
            let (bar, template) = match total {
                Some(total) => (
                    indicatif::ProgressBar::new(total),
                    "{spinner} {percent:>3}%  {msg}  {elapsed} (about {eta} left)",
                ),
                None => (
                    indicatif::ProgressBar::new_spinner(),
                    "{spinner} {msg}  {elapsed}",
                ),
            };
            bar.set_style(
                indicatif::ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        });
        Progress { bar, read }
    }

    /// Shows that `line` lines were read (redrawn every 65,536 lines).
    pub(super) fn tick(&self, line: u64) {
        let Some(bar) = &self.bar else {
            return;
        };
        if !line.is_multiple_of(65_536) {
            return;
        }
        bar.set_position(self.read.load(Ordering::Relaxed));
        let seconds = bar.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            thousands((line as f64 / seconds) as u64)
        } else {
            "…".to_owned()
        };
        bar.set_message(format!("{} lines  {rate} lines/s", thousands(line)));
    }

    /// Clears the display.
    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pretty_document_is_recognized_by_its_first_line() {
        assert_eq!(pretty_document(b"\n  {\n  \"a\": 1\n}\n"), Some("."));
        assert_eq!(pretty_document(b"[\r\n{\"a\":1}\n]"), Some(".[]"));
        assert_eq!(pretty_document(b"{\"a\":1}\n"), None);
        assert_eq!(pretty_document(b"\x1f\x8b\x08\0"), None);
        assert_eq!(pretty_document(b""), None);
    }
}
