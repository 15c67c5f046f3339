//! Reading logs: files, stdin and gzip, one line at a time in bounded memory.
//!
//! [`Source::open`] opens a path (or `-` for stdin) and looks at its first bytes:
//! gzip input (magic `1f 8b`) is decoded as it is read, multi-member files
//! included. [`LineReader`] hands out lines from one reused buffer; a line longer
//! than its limit is consumed without being stored and reported as
//! [`Line::TooLong`], so no input can make memory grow past the limit.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The longest line [`LineReader`] stores by default: 64 MiB.
pub const DEFAULT_MAX_LINE: usize = 64 << 20;

const BUFFER: usize = 256 << 10;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The file could not be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// The path is a directory.
    #[error("{path} is a directory; give a log file (or - for stdin)")]
    Directory {
        /// The path as given.
        path: PathBuf,
    },
    /// The input is gzip and this build was made without the `gzip` feature.
    #[error("{name} is gzip, but this build reads no gzip: enable the `gzip` feature")]
    NoGzip {
        /// The input's name.
        name: String,
    },
    /// Reading failed part-way (a gzip stream cut short, a device error, …).
    #[error("error reading {name} after line {line}: {source}")]
    Read {
        /// The input's name.
        name: String,
        /// The last line read completely, counted across all inputs.
        line: u64,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
}

/// One input: a file or stdin, decompressed if it is gzip.
pub struct Source {
    name: String,
    reader: Box<dyn BufRead + Send>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("name", &self.name).finish()
    }
}

impl Source {
    /// Opens `path`; `-` is stdin.
    pub fn open(path: &Path) -> Result<Source, InputError> {
        if path.as_os_str() == "-" {
            return Source::from_reader("<stdin>", io::stdin());
        }
        let open_err = |source| InputError::Open {
            path: path.to_owned(),
            source,
        };
        if path.is_dir() {
            return Err(InputError::Directory {
                path: path.to_owned(),
            });
        }
        let file = File::open(path).map_err(open_err)?;
        Source::from_reader(&path.display().to_string(), file)
    }

    /// Wraps any reader, sniffing for gzip.
    pub fn from_reader<R: Read + Send + 'static>(
        name: &str,
        reader: R,
    ) -> Result<Source, InputError> {
        // Fused: a terminal's Ctrl-D is one 0-byte read, and nothing may read again.
        let mut buffered = BufReader::with_capacity(BUFFER, Fused(Some(reader)));
        let head = buffered.fill_buf().map_err(|source| InputError::Open {
            path: PathBuf::from(name),
            source,
        })?;
        let reader: Box<dyn BufRead + Send> = if looks_like_gzip(head) {
            gunzip(name, buffered)?
        } else {
            Box::new(buffered)
        };
        Ok(Source {
            name: name.to_owned(),
            reader,
        })
    }

    /// The input's name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The decoded bytes.
    pub fn into_reader(self) -> Box<dyn BufRead + Send> {
        self.reader
    }
}

/// The decoded bytes of gzip input, multi-member files included.
#[cfg(feature = "gzip")]
fn gunzip<R: Read + Send + 'static>(
    _name: &str,
    gzip: BufReader<R>,
) -> Result<Box<dyn BufRead + Send>, InputError> {
    Ok(Box::new(BufReader::with_capacity(
        BUFFER,
        flate2::bufread::MultiGzDecoder::new(gzip),
    )))
}

/// Without the `gzip` feature, gzip input is an error, not garbage lines.
#[cfg(not(feature = "gzip"))]
fn gunzip<R: Read + Send + 'static>(
    name: &str,
    _gzip: BufReader<R>,
) -> Result<Box<dyn BufRead + Send>, InputError> {
    Err(InputError::NoGzip {
        name: name.to_owned(),
    })
}

/// A gzip member header: magic `1f 8b`, method 8 (deflate), no reserved flag bits.
/// Anything else is read as text, where a stray `1f 8b` is just a malformed line.
fn looks_like_gzip(head: &[u8]) -> bool {
    matches!(head, [0x1f, 0x8b, 0x08, flags, ..] if flags & 0xe0 == 0)
}

/// A reader that, once it has returned the end of its input (a read of 0 bytes
/// into a non-empty buffer), returns it again without reading. The readers above
/// it ask again after the end (a gzip sniff, then the line reader), and at a
/// terminal each extra read would wait for one more Ctrl-D.
struct Fused<R>(Option<R>);

impl<R: Read> Read for Fused<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(inner) = self.0.as_mut() else {
            return Ok(0);
        };
        let n = inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            // Dropping it closes a file as soon as it is read.
            self.0 = None;
        }
        Ok(n)
    }
}

// The line rules (SPEC §5, §7), stated once for every reader of lines — the
// [`LineReader`] here and the batches of `replay::parallel`:
// - a line ends at [`NEWLINE`] or at the end of the input (a last line without a
//   newline is a line; a final newline adds no empty line after it);
// - one `\r` before the newline is not part of the line;
// - a line longer than the limit — counting that `\r`, not the newline — is
//   [`Line::TooLong`], with that length, and is never stored whole.

/// The byte that ends a line.
pub(crate) const NEWLINE: u8 = b'\n';

/// Where the first line in `bytes` ends: the index of its newline.
#[inline]
pub(crate) fn line_end(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(NEWLINE, bytes)
}

/// Is a line of `len` bytes (or the part of one read so far) over the limit?
#[inline]
pub(crate) fn over_limit(len: usize, max: usize) -> bool {
    len > max
}

/// A whole line, given without its newline, as the readers hand it out.
#[inline]
pub(crate) fn line_of(raw: &[u8], max: usize) -> Line<'_> {
    if over_limit(raw.len(), max) {
        Line::TooLong(raw.len() as u64)
    } else {
        Line::Text(raw.strip_suffix(b"\r").unwrap_or(raw))
    }
}

/// One line as read by [`LineReader`], without its `\n` (nor a `\r` before it).
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's bytes.
    Text(&'a [u8]),
    /// The line was longer than the limit; it was skipped. Carries its length.
    TooLong(u64),
}

impl<'a> Line<'a> {
    /// A line as an iterator of a file's lines hands it out (Python's, Node's
    /// `readline`): a final `\n`, and a `\r` before it, are not part of it.
    pub fn from_text(text: &'a [u8]) -> Line<'a> {
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        Line::Text(text.strip_suffix(b"\r").unwrap_or(text))
    }
}

/// Lines from a [`BufRead`]: borrowed from the reader's own buffer when a line lies
/// whole inside it, else assembled in one reused buffer.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    /// Bytes of the reader's buffer handed out as the last line, consumed on the
    /// next call (the line borrows them until then).
    pending: usize,
}

impl<R: BufRead> LineReader<R> {
    /// A reader that stores lines of up to `max` bytes.
    pub fn new(inner: R, max: usize) -> LineReader<R> {
        LineReader {
            inner,
            buf: Vec::new(),
            max,
            pending: 0,
        }
    }

    /// The next line, or `None` at the end of the input. A last line without a
    /// final `\n` is a line.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.inner.consume(std::mem::take(&mut self.pending));
        let whole = match self.inner.fill_buf() {
            Ok(chunk) => line_end(chunk).filter(|&i| !over_limit(i, self.max)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => None,
            Err(e) => return Err(e),
        };
        if let Some(end) = whole {
            self.pending = end + 1;
            // The same buffer fill_buf just returned: no read happens here.
            let chunk = self.inner.fill_buf()?;
            return Ok(Some(line_of(&chunk[..end], self.max)));
        }
        self.assemble()
    }

    /// A line that is not whole in the reader's buffer, copied piece by piece.
    fn assemble(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let mut skipped: u64 = 0;
        let mut seen_any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            seen_any = true;
            let (take, done) = match line_end(chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if skipped == 0 && !over_limit(self.buf.len() + take, self.max) {
                self.buf.extend_from_slice(&chunk[..take]);
            } else {
                skipped += (self.buf.len() + take) as u64;
                self.buf.clear();
            }
            self.inner.consume(take + usize::from(done));
            if done {
                break;
            }
        }
        if !seen_any {
            return Ok(None);
        }
        if skipped > 0 {
            return Ok(Some(Line::TooLong(skipped)));
        }
        Ok(Some(line_of(&self.buf, self.max)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, u64>> {
        let mut r = LineReader::new(BufReader::with_capacity(4, input), max);
        let mut out = Vec::new();
        while let Some(line) = r.next_line().unwrap() {
            out.push(match line {
                Line::Text(t) => Ok(String::from_utf8_lossy(t).into_owned()),
                Line::TooLong(n) => Err(n),
            });
        }
        out
    }

    #[test]
    fn splits_on_newlines_and_strips_one_cr() {
        assert_eq!(
            lines(b"ab\r\n\ncd\r\r\nlast", 100),
            [
                Ok("ab".into()),
                Ok("".into()),
                Ok("cd\r".into()),
                Ok("last".into())
            ]
        );
        assert!(lines(b"", 100).is_empty());
        assert_eq!(lines(b"x\n", 100), [Ok("x".into())]);
    }

    #[test]
    fn lines_across_buffer_refills_are_whole() {
        let text: String = (0..200)
            .map(|i| format!("line {i} {}\n", "x".repeat(i % 37)))
            .collect();
        for cap in [1, 3, 16, 64, 1 << 20] {
            let mut r = LineReader::new(BufReader::with_capacity(cap, text.as_bytes()), 1000);
            let mut got = Vec::new();
            while let Some(Line::Text(t)) = r.next_line().unwrap() {
                got.push(String::from_utf8(t.to_vec()).unwrap());
            }
            assert_eq!(got, text.lines().collect::<Vec<_>>(), "capacity {cap}");
        }
    }

    /// A reader that counts its reads and ends every other one: a terminal where
    /// Ctrl-D is typed again and again.
    struct Terminal(usize);

    impl Read for Terminal {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0 += 1;
            match self.0 {
                1 => {
                    buf[..2].copy_from_slice(b"a\n");
                    Ok(2)
                }
                2 => Ok(0),
                _ => panic!("read again after the end of the input"),
            }
        }
    }

    #[test]
    fn the_end_of_the_input_is_read_once() {
        let src = Source::from_reader("tty", Terminal(0)).unwrap();
        let mut lines = LineReader::new(src.into_reader(), 100);
        assert_eq!(lines.next_line().unwrap(), Some(Line::Text(b"a")));
        assert_eq!(lines.next_line().unwrap(), None);
        assert_eq!(lines.next_line().unwrap(), None);
        // Ctrl-D first: the gzip sniff sees the end, and nothing reads again.
        let src = Source::from_reader("tty", Terminal(1)).unwrap();
        let mut rest = Vec::new();
        src.into_reader().read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
    }

    /// The rules both readers share: one CR dropped, the limit counts it.
    #[test]
    fn the_line_rules() {
        assert_eq!(line_of(b"ab\r", 3), Line::Text(b"ab"));
        assert_eq!(line_of(b"ab\r\r", 4), Line::Text(b"ab\r"));
        assert_eq!(line_of(b"abc\r", 3), Line::TooLong(4));
        assert_eq!(line_of(b"", 0), Line::Text(b""));
        assert_eq!(line_end(b"ab\ncd\n"), Some(2));
        assert!(!over_limit(5, 5) && over_limit(6, 5));
        // The reader applies them the same way whether or not a line lies whole
        // in its buffer.
        for cap in [1, 2, 64] {
            let mut r = LineReader::new(BufReader::with_capacity(cap, &b"abc\r\nab\r\n"[..]), 3);
            assert_eq!(r.next_line().unwrap(), Some(Line::TooLong(4)), "{cap}");
            assert_eq!(r.next_line().unwrap(), Some(Line::Text(b"ab")), "{cap}");
            assert_eq!(r.next_line().unwrap(), None);
        }
    }

    #[test]
    fn long_lines_are_skipped_not_stored() {
        assert_eq!(
            lines(b"0123456789\nok\n0123456789", 5),
            [Err(10), Ok("ok".into()), Err(10)]
        );
    }

    #[test]
    #[cfg(not(feature = "gzip"))]
    fn gzip_without_the_feature_is_a_typed_error() {
        let data = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];
        let err = Source::from_reader("log.gz", io::Cursor::new(data)).unwrap_err();
        assert!(matches!(&err, InputError::NoGzip { name } if name == "log.gz"));
        assert!(
            err.to_string().contains("enable the `gzip` feature"),
            "{err}"
        );
    }

    #[test]
    #[cfg(feature = "gzip")]
    fn gzip_is_sniffed_and_multi_member() {
        use std::io::Write;
        let mut data = Vec::new();
        for part in ["one\n", "two\n"] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            data.extend(gz.finish().unwrap());
        }
        let src = Source::from_reader("mem", io::Cursor::new(data)).unwrap();
        let mut text = String::new();
        src.into_reader().read_to_string(&mut text).unwrap();
        assert_eq!(text, "one\ntwo\n");
    }
}
