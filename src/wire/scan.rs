//! The fast way to read a record: one pass over the line with a JSON scanner of
//! our own, driving the schema's [`Level`]s as the serde reader does.
//!
//! The scanner *gives up* ([`Bail`]) on anything it does not handle exactly as the
//! serde reader would, and the line is then read again by serde. So it never has to
//! be right about an unusual line, only about the lines it answers; what it answers
//! must equal what serde would have read (checked by a differential test over
//! generated and mutated lines). It answers a line only when:
//!
//! - the whole line is well-formed JSON (RFC 8259, as serde_json reads it: a string
//!   holds no raw control character, escapes are `\" \\ \/ \b \f \n \r \t \uXXXX`,
//!   numbers have no leading zero, only space, tab, CR and LF are whitespace) whose
//!   top value is an object nested at most [`MAX_DEPTH`] levels;
//! - no key of a level that is read, no string value read, and no string standing
//!   where an object is read has an escape (serde would decode and check those);
//! - no field that is read holds a number or an object (serde's number reader and
//!   its key reader decide those); time fields are the exception, read as their raw
//!   token by both readers.
//!
//! Values that are skipped are checked as serde_json's own skipping checks them:
//! a `\u` escape is four hex digits, whatever code point they name.

use super::depth::MAX_DEPTH;
use super::schema::{integer_token, CarryLevel, Carrying, Flat, Kind, Level, Top, Values};
use super::{Scalar, WireRecord};
use crate::model::rejection::Rejection;
use std::borrow::Cow;
use std::mem::ManuallyDrop;

/// The scanner gave up: read the line with serde.
struct Bail;

/// Reads `text` if the scanner can answer it exactly (see the module docs).
pub(super) fn read(text: &str) -> Option<Result<WireRecord<'_>, Rejection>> {
    read_as(text, false)
}

/// [`read`], or as [`parse_str_untimed`](super::parse_str_untimed) reads if
/// `skip_processing`.
pub(super) fn read_as(
    text: &str,
    skip_processing: bool,
) -> Option<Result<WireRecord<'_>, Rejection>> {
    // The scanner borrows every string it reads (it gives up on an escape), so
    // `flat` owns nothing: leaving it undropped skips the drop code of its
    // two dozen string fields, which costs about 1 % of a replay.
    let mut flat = ManuallyDrop::new(Flat::new(skip_processing));
    read_into(text, Top(&mut flat))?;
    Some(flat.take_wire())
}

/// [`read_as`], also keeping what the record carries into its outbound event.
pub(super) fn read_carrying(
    text: &str,
    skip_processing: bool,
) -> Option<Result<(WireRecord<'_>, Carrying<'_>), Rejection>> {
    // Owns nothing, as in `read_as`.
    let mut flat = ManuallyDrop::new(Flat::new(skip_processing));
    let mut carrying = Carrying::default();
    read_into(text, CarryLevel::top(&mut flat, &mut carrying))?;
    Some(flat.take_wire().map(|wire| (wire, carrying)))
}

/// Scans `text` into `level`, the top level; `None` if the scanner gives up.
#[inline(always)]
fn read_into<'a>(text: &'a str, level: impl Level<'a>) -> Option<()> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
        block: usize::MAX,
        stops: 0,
    };
    scanner.whitespace();
    if scanner.peek() != Some(b'{') {
        return None;
    }
    scanner.object(level).ok()?;
    scanner.whitespace();
    if scanner.at != scanner.bytes.len() {
        return None;
    }
    Some(())
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The next byte to read.
    at: usize,
    /// Objects and arrays open around `at`.
    depth: usize,
    /// The 64-byte block of the line whose [`stop_mask`] is `stops`.
    block: usize,
    stops: u64,
}

impl<'a> Values<'a> for Scanner<'a> {
    type Error = Bail;

    fn slot(&mut self) -> Result<Option<Scalar<'a>>, Bail> {
        match self.peek() {
            Some(b'"') => Ok(Some(Scalar::Str(Cow::Borrowed(self.plain_string()?)))),
            Some(b'n') => self.literal(b"null").map(|()| None),
            Some(b't') => self.literal(b"true").map(|()| Some(Scalar::Other)),
            Some(b'f') => self.literal(b"false").map(|()| Some(Scalar::Other)),
            Some(b'[') => self.skip().map(|()| Some(Scalar::Other)),
            _ => Err(Bail),
        }
    }

    fn raw(&mut self) -> Result<Option<&'a str>, Bail> {
        if self.peek() == Some(b'n') {
            return self.literal(b"null").map(|()| None);
        }
        let start = self.at;
        self.skip()?;
        self.text.get(start..self.at).map(Some).ok_or(Bail)
    }

    fn object_raw<L: Level<'a>>(&mut self, level: L) -> Result<Option<&'a str>, Bail> {
        if self.peek() != Some(b'{') {
            return self.raw();
        }
        let start = self.at;
        self.object(level)?;
        self.text.get(start..self.at).map(Some).ok_or(Bail)
    }

    fn object_text<L: Level<'a>>(&mut self, level: L) -> Result<Option<&'a str>, Bail> {
        let start = self.at;
        if self.object(level)? == Kind::Null {
            return Ok(None);
        }
        self.text.get(start..self.at).map(Some).ok_or(Bail)
    }

    fn time(&mut self) -> Result<Option<Scalar<'a>>, Bail> {
        let start = self.at;
        self.skip()?;
        let token = self.text.get(start..self.at).ok_or(Bail)?;
        Ok(integer_token(token))
    }

    fn object<L: Level<'a>>(&mut self, mut level: L) -> Result<Kind, Bail> {
        match self.peek() {
            Some(b'{') => {}
            Some(b'n') => return self.literal(b"null").map(|()| Kind::Null),
            Some(b'"') => return self.plain_string().map(|_| Kind::Other),
            _ => return self.skip().map(|()| Kind::Other),
        }
        self.open()?;
        self.whitespace();
        if self.eat(b'}') {
            self.depth -= 1;
            return Ok(Kind::Object);
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(Bail);
            }
            let key = self.plain_string()?;
            self.whitespace();
            if !self.eat(b':') {
                return Err(Bail);
            }
            self.whitespace();
            level.field(key, self)?;
            self.whitespace();
            match self.next() {
                Some(b',') => self.whitespace(),
                Some(b'}') => break,
                _ => return Err(Bail),
            }
        }
        self.depth -= 1;
        Ok(Kind::Object)
    }

    /// Skips one value, as serde_json's `ignore_value` does, without recursion:
    /// `stack` holds a bit per open container (1 for an object); [`Scanner::open`]
    /// gives up past [`MAX_DEPTH`] levels, so it never needs more than 128 bits.
    fn skip(&mut self) -> Result<(), Bail> {
        const _: () = assert!(MAX_DEPTH <= 128, "skip's bit stack holds 128 levels");
        let outer = self.depth;
        let mut stack: u128 = 0;
        loop {
            // A value starts at `at`.
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    self.skip_string()?;
                }
                Some(open @ (b'{' | b'[')) => {
                    self.open()?;
                    stack = stack << 1 | u128::from(open == b'{');
                    self.whitespace();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if !self.eat(close) {
                        if open == b'{' {
                            self.skipped_key()?;
                        }
                        continue;
                    }
                    self.depth -= 1;
                    stack >>= 1;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(Bail),
            }
            // A value ended: go on to the next element, or close containers.
            loop {
                if self.depth == outer {
                    return Ok(());
                }
                self.whitespace();
                let in_object = stack & 1 == 1;
                match self.next() {
                    Some(b',') => {
                        self.whitespace();
                        if in_object {
                            self.skipped_key()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {}
                    Some(b']') if !in_object => {}
                    _ => return Err(Bail),
                }
                self.depth -= 1;
                stack >>= 1;
            }
        }
    }
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> bool {
        let ate = self.peek() == Some(byte);
        self.at += usize::from(ate);
        ate
    }

    #[inline]
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Steps into the object or array at `at`.
    #[inline]
    fn open(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        self.at += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Bail> {
        if !self
            .bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word))
        {
            return Err(Bail);
        }
        self.at += word.len();
        Ok(())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. What follows is the
    /// caller's to check (so `01` fails there, at the `1`).
    fn number(&mut self) -> Result<(), Bail> {
        self.eat(b'-');
        match self.next() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Bail),
        }
        if self.eat(b'.') {
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn some_digits(&mut self) -> Result<(), Bail> {
        match self.next() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            _ => Err(Bail),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    /// The index of the first byte from `at` on that ends a run of plain string
    /// bytes (see [`stop_mask`]), found a block at a time.
    #[inline]
    fn string_stop(&mut self, mut at: usize) -> Option<usize> {
        loop {
            let block = at / 64;
            if block != self.block {
                let start = block * 64;
                self.stops = match self.bytes.get(start..start + 64) {
                    Some(whole) => stop_mask(whole.try_into().ok()?),
                    None => stop_mask_tail(self.bytes.get(start..)?),
                };
                self.block = block;
            }
            let ahead = self.stops >> (at % 64);
            if ahead != 0 {
                let stop = at + ahead.trailing_zeros() as usize;
                return (stop < self.bytes.len()).then_some(stop);
            }
            at = (block + 1) * 64;
        }
    }

    /// The string at `at` (a `"`), borrowed; gives up on an escape.
    fn plain_string(&mut self) -> Result<&'a str, Bail> {
        let start = self.at + 1;
        let end = self.string_stop(start).ok_or(Bail)?;
        if self.bytes[end] != b'"' {
            return Err(Bail);
        }
        self.at = end + 1;
        self.text.get(start..end).ok_or(Bail)
    }

    /// Skips the rest of a string whose opening quote was read.
    fn skip_string(&mut self) -> Result<(), Bail> {
        loop {
            let stop = self.string_stop(self.at).ok_or(Bail)?;
            self.at = stop + 1;
            match self.bytes[stop] {
                b'"' => return Ok(()),
                b'\\' => self.skipped_escape()?,
                _ => return Err(Bail),
            }
        }
    }

    /// The rest of an escape whose backslash was read.
    fn skipped_escape(&mut self) -> Result<(), Bail> {
        match self.next() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(()),
            Some(b'u') => {
                let hex = self.bytes.get(self.at..self.at + 4).ok_or(Bail)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(Bail);
                }
                self.at += 4;
                Ok(())
            }
            _ => Err(Bail),
        }
    }

    /// A key of a skipped object, its colon and the whitespace around it.
    fn skipped_key(&mut self) -> Result<(), Bail> {
        if !self.eat(b'"') {
            return Err(Bail);
        }
        self.skip_string()?;
        self.whitespace();
        if !self.eat(b':') {
            return Err(Bail);
        }
        self.whitespace();
        Ok(())
    }
}

/// Which bytes of a 64-byte block end a run of plain string bytes: `"`, `\` and
/// the control characters (below 0x20). Bit `i` stands for byte `i`.
///
/// This mask is where the scanner's time goes (most of a record's bytes are in
/// strings it skips), so on x86-64 it is 16 bytes per compare with SSE2, which
/// every x86-64 CPU has; elsewhere a plain loop.
#[inline]
fn stop_mask(block: &[u8; 64]) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: `sse2::stop_mask` only needs the SSE2 target feature, which the
        // cfg above makes part of every CPU this build runs on.
        #[allow(unsafe_code)]
        unsafe {
            sse2::stop_mask(block)
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        portable_stop_mask(block)
    }
}

/// [`stop_mask`] a byte at a time.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn portable_stop_mask(block: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (i, &b) in block.iter().enumerate() {
        mask |= u64::from((b == b'"') | (b == b'\\') | (b < 0x20)) << i;
    }
    mask
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x,
    };

    /// [`super::stop_mask`], 16 bytes per compare. Safe code apart from the
    /// target feature: the bytes come in as integers, not through a pointer.
    #[target_feature(enable = "sse2")]
    pub(super) fn stop_mask(block: &[u8; 64]) -> u64 {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let below_space = _mm_set1_epi8(0x1f);
        let mut mask = 0u64;
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let half = |at: usize| {
                let mut word = [0u8; 8];
                word.copy_from_slice(&lane[at..at + 8]);
                i64::from_le_bytes(word)
            };
            let v = _mm_set_epi64x(half(8), half(0));
            let stops = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                // Unsigned v <= 0x1f exactly when min(v, 0x1f) == v.
                _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v),
            );
            mask |= u64::from(_mm_movemask_epi8(stops) as u16) << (16 * i);
        }
        mask
    }
}

/// [`stop_mask`] for the short last block of a line.
fn stop_mask_tail(tail: &[u8]) -> u64 {
    let mut block = [b' '; 64];
    block[..tail.len()].copy_from_slice(tail);
    stop_mask(&block)
}

#[cfg(test)]
mod tests {
    use super::super::schema::KEYS;
    use super::super::serde_reader::{parse_with_serde, read_with_serde, Numbers};
    use super::super::CarriedText;
    use super::*;
    use proptest::prelude::*;

    /// The scanner either gives up or reads exactly what serde reads, what the
    /// record carries included ([`carried_agrees`]).
    fn agrees(line: &str) -> Result<bool, String> {
        carried_agrees(line)?;
        match read(line) {
            None => Ok(false),
            Some(fast) => match parse_with_serde(line) {
                slow if slow == fast => Ok(true),
                other => Err(format!("{line:?}: scanner {fast:?}, serde {other:?}")),
            },
        }
    }

    /// Emit's reading of a line: its record is replay's; the scanner gives up or
    /// keeps what serde keeps; and what serde keeps is what the record carried
    /// when emit read it into serde structs (the oracle). `Ok(true)` when the
    /// scanner answered.
    fn carried_agrees(line: &str) -> Result<bool, String> {
        use super::super::outbound::{oracle, Carried};
        use super::super::serde_reader::parse_with_serde_carrying;
        let slow = parse_with_serde_carrying(line, false);
        let plain = parse_with_serde(line);
        if slow.as_ref().map(|(wire, _)| wire) != plain.as_ref() {
            let slow = slow.as_ref().map(|(wire, _)| wire);
            return Err(format!("{line:?}: carrying read {slow:?}, plain {plain:?}"));
        }
        type Kept<'a> = Result<(WireRecord<'a>, CarriedText<'a>), Rejection>;
        fn kept<'a>(
            read: &Result<(WireRecord<'a>, Carrying<'a>), Rejection>,
            line: &'a str,
        ) -> Kept<'a> {
            read.as_ref()
                .map(|(wire, carrying)| (wire.clone(), carrying.take(wire, line)))
                .map_err(Clone::clone)
        }
        let slow = kept(&slow, line);
        let answered = match read_carrying(line, false).map(|fast| kept(&fast, line)) {
            None => false,
            Some(fast) if fast == slow => true,
            Some(fast) => return Err(format!("{line:?}: scanner {fast:?}, serde {slow:?}")),
        };
        if let Ok((wire, text)) = slow {
            let got = oracle::texts(&Carried::from_text(&text));
            let want = oracle::texts(&oracle::carried(line, wire.shape));
            if got != want {
                return Err(format!("{line:?}: carried {got:?}, serde structs {want:?}"));
            }
        }
        Ok(answered)
    }

    /// The serde reader's two ways agree: wherever the parsed way answers (a
    /// record, or any rejection but its own JSON error), the raw way — the
    /// reader of record — answers the same. And the raw way reads every line
    /// that is JSON, numbers beyond `f64` included.
    fn serde_ways_agree(line: &str) -> Result<(), String> {
        let parsed = read_with_serde(line, Numbers::Parsed);
        let raw = read_with_serde(line, Numbers::Raw);
        let parsed_json_error = matches!(
            &parsed,
            Err(r) if matches!(r.reason, crate::model::rejection::Reason::Malformed(
                crate::model::rejection::Malformed::NotJson(_)
            ))
        );
        if !parsed_json_error && parsed != raw {
            return Err(format!("{line:?}: parsed {parsed:?}, raw {raw:?}"));
        }
        Ok(())
    }

    fn fixture_lines() -> Vec<String> {
        let mut lines = Vec::new();
        for name in ["clean", "mixed", "edge"] {
            let path = format!("{}/tests/fixtures/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(path).expect("fixture");
            for line in bytes.split(|&b| b == b'\n') {
                lines.push(String::from_utf8_lossy(line).into_owned());
            }
        }
        let seed = include_str!("../../tests/fixtures/seed-sample-outbound-call.json");
        lines.push(seed.to_owned());
        lines
    }

    /// The lines of the clean fixture: every line in one of the three shapes, as
    /// a simulated log writes them (these unit tests may not call the simulator,
    /// a layer above; `tests/` runs it against the parser).
    fn clean_lines() -> Vec<String> {
        let path = format!("{}/tests/fixtures/clean.jsonl", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path).expect("fixture");
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn answers_every_clean_line_as_serde_does() {
        let lines = clean_lines();
        assert!(lines.len() > 1_000);
        for line in lines {
            assert_eq!(agrees(&line), Ok(true), "{line}");
            assert_eq!(carried_agrees(&line), Ok(true), "{line}");
        }
    }

    #[test]
    fn agrees_with_serde_on_fixtures_and_faulty_logs() {
        let lines = fixture_lines();
        for line in &lines {
            assert_eq!(serde_ways_agree(line), Ok(()));
        }
        let answered = lines
            .iter()
            .map(|line| agrees(line).unwrap())
            .filter(|&a| a)
            .count();
        // The fixtures' odd lines (escapes, deep nesting, bad numbers) go to serde,
        // the ordinary ones do not.
        assert!(
            answered * 10 > lines.len() * 8,
            "{answered} of {}",
            lines.len()
        );
    }

    /// Every line of the fixtures and of a faulty simulated log, with bytes
    /// replaced, inserted or removed at random from an alphabet of JSON's
    /// troublemakers.
    #[test]
    fn agrees_with_serde_on_mutated_lines() {
        let alphabet: &[&str] = &[
            "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "0", "-", ".", "e", "1", "n", "t",
            "\u{1}", "\\u", "\\ud800", "\\n", "null", "1e400", "é", "\t", "x", "\u{c}",
        ];
        let lines = fixture_lines();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut random = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n.max(1) as u64) as usize
        };
        let mut answered = 0;
        for round in 0..6 {
            for line in &lines {
                let mut line = line.clone();
                for _ in 0..=round % 3 {
                    let mut at = random(line.len() + 1);
                    while !line.is_char_boundary(at) {
                        at -= 1;
                    }
                    let mut end = (at + 1 + random(3)).min(line.len());
                    while !line.is_char_boundary(end) {
                        end += 1;
                    }
                    match random(3) {
                        0 => line.insert_str(at, alphabet[random(alphabet.len())]),
                        1 => line.replace_range(at..end, alphabet[random(alphabet.len())]),
                        _ => line.replace_range(at..end, ""),
                    }
                }
                answered += usize::from(agrees(&line).unwrap());
            }
        }
        assert!(answered > 0);
    }

    /// JSON text over the keys the readers care about, with the values that make
    /// them differ: escapes, lone surrogates, control characters, numbers of every
    /// syntax and size, nesting and repeated keys.
    fn json() -> impl Strategy<Value = String> {
        // The schema's keys, an unknown one, an escaped one and the empty one.
        let key = || {
            let unread = ["x", "ag\\u0065nt", ""];
            prop::sample::select(KEYS.iter().copied().chain(unread).collect::<Vec<_>>())
        };
        let leaf = prop::sample::select(vec![
            "null",
            "true",
            "false",
            "0",
            "-0",
            "7",
            "-12",
            "01",
            "1.5",
            "1e3",
            "1E+3",
            "-",
            "1.",
            "1e400",
            "-1e400",
            "18446744073709551616",
            "99999999999999999999999999999999999999999",
            "\"a\"",
            "\"\"",
            "\"a\\\"b\"",
            "\"\\u0041\"",
            "\"\\ud800\"",
            "\"\\uD83D\\uDE00\"",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"é\"",
            "\"Ready\"",
            "\"AgentStateChange\"",
            "\"Available\"",
            "\"CustAnswered\"",
            "\"acw\"",
            "nul",
            "tru",
            "\"unterminated",
        ])
        .prop_map(str::to_owned);
        let whitespace = || prop::sample::select(vec!["", " ", "\t", "\r\n", "\u{c}", "\u{a0}"]);
        let object = move |value: BoxedStrategy<String>| {
            prop::collection::vec((key(), value, whitespace()), 0..6).prop_map(|fields| {
                let body: Vec<String> = fields
                    .iter()
                    .map(|(k, v, ws)| format!("{ws}\"{k}\"{ws}:{ws}{v}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            })
        };
        let value = leaf.prop_recursive(5, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                object(inner.boxed()),
            ]
        });
        // Mostly objects at the top, as records are.
        prop_oneof![9 => object(value.clone().boxed()), 1 => value]
    }

    /// Lines where a careless scanner would part from serde, one trap each.
    #[test]
    fn agrees_with_serde_on_the_traps() {
        let base = r#""agent":"a","event":"acw""#;
        for tail in [
            r#""agent":1e400"#,
            r#""event":-1e400"#,
            r#""message":{"call":1e400}"#,
            r#""data":{"type":1e400,"agentId":"w"}"#,
            r#""message":{"call":{"id":1e400,"event":"x"}}"#,
            r#""x":[1}"#,
            r#""x":{"a":1]"#,
            r#""x":{"a" 1}"#,
            r#""x":{1:1}"#,
            r#""x":[1,]"#,
            r#""x":{"a":1,}"#,
            r#""x":01"#,
            r#""x":-"#,
            r#""x":1."#,
            r#""x":1e"#,
            r#""x":1e+"#,
            r#""x":.5"#,
            r#""x":+1"#,
            r#""x":"\x""#,
            r#""x":"\u12g4""#,
            r#""x":"\ud800""#,
            "\"x\":\"\u{1}\"",
            "\"x\":\"\u{7f}\"",
            "\"x\":\u{c}1",
            r#""message":"\ud800""#,
            r#""message":"\n""#,
            r#""data":"\ud800""#,
            r#""message":{"call":"\ud800"}"#,
            r#""message":{"c\u0061ll":{"event":"x"}}"#,
            r#""interaction":"\ud800""#,
            r#""interaction":"i\u0041""#,
            r#""interaction":-0"#,
            r#""interaction":18446744073709551616"#,
            r#""interaction":1e400"#,
            r#""interaction":{"\ud800":1}"#,
            r#""time":-0"#,
            r#""time":1e400"#,
            r#""time":"\ud800""#,
            r#""time":12345678901234567890123456789012345678901234567890"#,
            r#""message":1e400"#,
            r#""x":nul"#,
            r#""x":truefalse"#,
        ] {
            let line = format!("{{{base},{tail}}}");
            assert!(agrees(&line).is_ok(), "{:?}", agrees(&line));
            assert_eq!(serde_ways_agree(&line), Ok(()));
        }
    }

    /// What a record carries, where serde's structs made it hard: repeated
    /// keys, `null`, values of other types, escapes, `ResponseFields` as an
    /// array or a string.
    #[test]
    fn carries_what_serde_structs_read_on_the_traps() {
        let envelope = |call: &str| {
            format!(
                r#"{{"message":{{"call":{{"event":"AgentOfferContact","ResponseActual":{{"data":{{"agentId":"a","interactionId":"c","eventTime":5}}}},{call}}}}}}}"#
            )
        };
        let native = |tail: &str| format!(r#"{{"agent":"a","event":"AgentOfferContact",{tail}}}"#);
        let mut lines = Vec::new();
        for call in [
            r#""ResponseFields":{"fromAddress":"1","toAddress":"2","Campaign":"c","OutBoundType":"o"}"#,
            r#""ResponseFields":{"fromAddress":"1","fromAddress":"2"}"#,
            r#""ResponseFields":{"CallVariables":1,"CallVariables":2,"toAddress":"2"}"#,
            r#""ResponseFields":{"fromAddress":null,"toAddress":7,"Campaign":["c"],"OutBoundType":{"o":1}}"#,
            r#""ResponseFields":{"fromAddress":"a\"b\u0041","toAddress":"\ud800"}"#,
            r#""ResponseFields":{"fr\u006fmAddress":"1"}"#,
            r#""ResponseFields":{"\ud800":1,"fromAddress":"1"}"#,
            r#""ResponseFields":{"x":{"fromAddress":"deep"},"Campaign":"c"}"#,
            r#""ResponseFields":null"#,
            r#""ResponseFields":"x""#,
            r#""ResponseFields":7"#,
            r#""ResponseFields":[null,"1","2","c","o"]"#,
            r#""ResponseFields":[null,"1","2","c"]"#,
            r#""ResponseFields":[null,"1","2","c","o","x"]"#,
            r#""ResponseFields":{},"ResponseFields":{"fromAddress":"1"}"#,
            r#""CallVariables":{"k":"v"}"#,
            r#""CallVariables":{"k":"v"},"CallVariables":null"#,
            r#""CallVariables":null"#,
            r#""CallVariables":"\ud800""#,
            r#""ResponseActual":null"#,
            r#""ResponseActual":{"data":{}}"#,
            r#""ResponseActual":"x""#,
            r#""ResponseActual":1e400"#,
        ] {
            lines.push(envelope(call));
        }
        lines.push(r#"{"message":{"x":1},"message":{"call":{"event":"AgentOfferContact","ResponseActual":{"data":{"agentId":"a"}},"CallVariables":{"k":1}}}}"#.to_owned());
        lines.push(r#"{"message":{"call":null,"call":{"event":"AgentOfferContact","ResponseActual":{"data":{"agentId":"a"}},"CallVariables":{"k":1}}}}"#.to_owned());
        lines.push(r#"{"message":{"call":{"event":"AgentOfferContact","ResponseActual":{"data":{"agentId":"a"}},"CallVariables":{"k":1}}},"fromAddress":"n"}"#.to_owned());
        for tail in [
            r#""fromAddress":"1","toAddress":"2","Campaign":"c","OutBoundType":"o","CallVariables":{"k":[1,2]}"#,
            r#""fromAddress":"1","fromAddress":"2""#,
            r#""CallVariables":{},"CallVariables":{}"#,
            r#""fromAddress":1e400,"toAddress":true,"CallVariables":null"#,
            r#""fromAddress":"\u00e9\n","Campaign":"\ud800""#,
            r#""fr\u006fmAddress":"1""#,
            r#""message":{"call":null},"ResponseFields":{"fromAddress":"x"},"OutBoundType":"o""#,
        ] {
            lines.push(native(tail));
        }
        lines.push(
            "\t {\"data\":{\"type\":\"AgentOfferContact\",\"agentId\":\"a\",\"interactionId\":\"c\"},\"fromAddress\":\"x\"} \r"
                .to_owned(),
        );
        for line in &lines {
            assert!(agrees(line).is_ok(), "{:?}", agrees(line));
        }
        // Which of them the scanner answers, and what some carry.
        fn carried(line: &str) -> (super::super::Shape, CarriedText<'_>) {
            let (wire, text) = super::super::parse_str_carried(line).unwrap();
            (wire.shape, text)
        }
        let (_, text) = carried(&lines[0]);
        assert_eq!(
            (text.from_address, text.outbound_type, text.call_variables),
            (Some(r#""1""#), Some(r#""o""#), None)
        );
        assert_eq!(carried(&lines[1]).1, CarriedText::default());
        assert_eq!(carried(&lines[11]).1.campaign, Some(r#""c""#));
        assert_eq!(carried(&lines[12]).1, CarriedText::default());
        for answered in [0, 1, 3, 8, 9, 11, 15, 16, 20] {
            assert_eq!(carried_agrees(&lines[answered]), Ok(true), "{answered}");
        }
        let websocket = carried(lines.last().unwrap());
        assert_eq!(websocket.0, super::super::Shape::Websocket);
        assert_eq!(
            websocket.1.response_actual,
            Some(lines.last().unwrap().trim())
        );
    }

    #[test]
    fn the_stop_mask_flags_exactly_quotes_backslashes_and_control_bytes() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            let mut block = [0u8; 64];
            for b in &mut block {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Mostly the bytes around the edges that matter.
                let edges = [b'"', b'\\', 0x1f, 0x20, 0x00, 0x7f, 0x80, 0xff, b'!', b'['];
                *b = if state & 3 == 0 {
                    (state >> 8) as u8
                } else {
                    edges[(state >> 8) as usize % edges.len()]
                };
            }
            assert_eq!(stop_mask(&block), portable_stop_mask(&block), "{block:?}");
        }
    }

    #[test]
    fn gives_up_beyond_the_depth_limit_as_serde_reports_it() {
        for depth in [126, 127, 128, 129, 200] {
            let nest = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let line = format!(r#"{{"agent":"a","event":"acw","x":{nest}}}"#);
            let answered = agrees(&line).unwrap();
            assert_eq!(answered, depth < 128, "{depth}");
        }
    }

    /// The deadline fields the wire reads in its one pass give every deadline
    /// that reading them out of `data.interaction`'s raw text gives (SPEC §11.4),
    /// and an untimed read differs from a timed one in them alone.
    fn deadlines_agree(line: &str) -> Result<(), String> {
        use crate::model::deadline::{Timers, DEADLINES};
        let timed = super::super::parse_str(line);
        let untimed = super::super::parse_str_untimed(line);
        let (timed, untimed) = match (timed, untimed) {
            (Ok(timed), Ok(untimed)) => (timed, untimed),
            (timed, untimed) if timed == untimed => return Ok(()),
            other => return Err(format!("{line:?}: timed and untimed {other:?}")),
        };
        let mut alike = timed.clone();
        alike.rona_timeout = untimed.rona_timeout;
        alike.preview_timeout = untimed.preview_timeout;
        if alike != untimed {
            return Err(format!("{line:?}: timed {timed:?}, untimed {untimed:?}"));
        }
        let Ok(record) = timed.record() else {
            return Ok(());
        };
        // What the wire read before it read `callProcessingDetails` itself.
        let from_text = Timers {
            interaction: untimed.snapshot,
            rona: untimed.rona_timeout,
            preview: untimed.preview_timeout,
            call_variables: untimed.call_variables,
        };
        for rule in DEADLINES {
            let read = rule.deadline(&record.timers, 7);
            let text = rule.deadline(&from_text, 7);
            if read != text {
                return Err(format!(
                    "{line:?}: {} read {read:?}, from text {text:?}",
                    rule.phase
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn deadline_fields_read_in_the_pass_as_from_the_interactions_text() {
        for line in fixture_lines() {
            assert_eq!(deadlines_agree(&line), Ok(()));
        }
        let offer = |interaction: &str| {
            format!(
                r#"{{"data":{{"type":"AgentOfferContact","agentId":"a","interactionId":"c","eventTime":5,"interaction":{interaction},"ronaTimeout":"30"}}}}"#
            )
        };
        for interaction in [
            r#"{"callProcessingDetails":{"ronaTimeout":"18"}}"#,
            r#"{"callProcessingDetails":{"ronaTimeout":"18"},"callProcessingDetails":{}}"#,
            r#"{"callProcessingDetails":{"ronaTimeout":"18","ronaTimeout":null}}"#,
            r#"{"callProcessingDetails":{"ronaTimeout":"18","\ud800":1}}"#,
            r#"{"callProcessingDetails":{"ronaTimeout":"18"},"\ud800":1}"#,
            r#"{"callProcessingDetails":{"\ud800":1},"callProcessingDetails":{"ronaTimeout":"18"}}"#,
            r#"{"c\u0061llProcessingDetails":{"ronaTim\u0065out":"18"}}"#,
            r#"{"callProcessingDetails":"\ud800"}"#,
            r#"{"callProcessingDetails":1e400}"#,
            r#"{"callProcessingDetails":{"ronaTimeout":1e400,"campaignPreviewOfferTimeout":"9"}}"#,
            r#"{"callProcessingDetails":null}"#,
            r#""\ud800""#,
            "[]",
            "null",
        ] {
            let line = offer(interaction);
            assert_eq!(deadlines_agree(&line), Ok(()));
            assert!(agrees(&line).is_ok(), "{:?}", agrees(&line));
            assert_eq!(serde_ways_agree(&line), Ok(()));
        }
        // Read by the scanner, not from the text later.
        let line =
            offer(r#"{"x":[{"ronaTimeout":"1"}],"callProcessingDetails":{"ronaTimeout":"18"}}"#);
        let wire = super::super::parse_str(&line).unwrap();
        let timers = wire.record().unwrap().timers;
        assert_eq!((timers.interaction, timers.rona), (None, Some(r#""18""#)));
        assert_eq!(agrees(&line), Ok(true));
    }

    /// Every `callProcessingDetails` key of SPEC §11.4's table is read in the
    /// pass: a key added to the table and not to the wire's schema fails here.
    #[test]
    fn every_processing_key_of_the_deadline_table_is_read_in_the_pass() {
        use crate::model::deadline::{FieldPath, DEADLINES};
        for rule in DEADLINES {
            for path in rule.paths {
                let FieldPath::Processing(key) = path else {
                    continue;
                };
                let line = format!(
                    r#"{{"data":{{"type":"AgentOfferContact","agentId":"a","interactionId":"c","eventTime":5,"interaction":{{"callProcessingDetails":{{"{key}":"1718965810000"}}}}}}}}"#
                );
                let wire = super::super::parse_str(&line).unwrap();
                let record = wire.record().unwrap();
                assert!(
                    rule.deadline(&record.timers, 7).is_some(),
                    "{key}: no deadline from {line}"
                );
                assert_eq!(deadlines_agree(&line), Ok(()));
            }
        }
    }

    /// A `data.interaction` of the keys and values that make reading
    /// `callProcessingDetails` hard: escaped and undecodable keys, repeats,
    /// `null`, numbers beyond `f64`, values that are not objects.
    fn interaction() -> impl Strategy<Value = String> {
        fn object(keys: Vec<&'static str>, values: BoxedStrategy<String>) -> BoxedStrategy<String> {
            prop::collection::vec((prop::sample::select(keys), values), 0..4)
                .prop_map(|fields| {
                    let body: Vec<String> = fields
                        .iter()
                        .map(|(k, v)| format!(r#""{k}":{v}"#))
                        .collect();
                    format!("{{{}}}", body.join(","))
                })
                .boxed()
        }
        let leaf = prop::sample::select(vec![
            r#""18""#,
            "18",
            "0",
            "null",
            r#""x""#,
            "1e400",
            "{}",
            "[1]",
            r#""\ud800""#,
            r#""1\u0038""#,
        ])
        .prop_map(str::to_owned)
        .boxed();
        let processing = object(
            vec![
                "ronaTimeout",
                "campaignPreviewOfferTimeout",
                "x",
                r"ronaTim\u0065out",
                r"\ud800",
            ],
            leaf.clone(),
        );
        let member = prop_oneof![processing, leaf.clone()].boxed();
        let interaction = object(
            vec![
                "callProcessingDetails",
                "x",
                r"c\u0061llProcessingDetails",
                r"\ud800",
            ],
            member,
        );
        prop_oneof![4 => interaction, 1 => leaf]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn agrees_with_serde_on_generated_json(
            line in json(),
            cut in 0usize..200,
            edits in prop::collection::vec((0usize..200, prop::sample::select(vec![
                "}", "]", "{", "[", ",", ":", "\"", "\\", " ", "\u{c}", "0", "-", "e", ".",
            ])), 0..3),
        ) {
            prop_assert!(agrees(&line).is_ok(), "{:?}", agrees(&line));
            prop_assert_eq!(serde_ways_agree(&line), Ok(()));
            // The same text cut short.
            let mut at = cut.min(line.len());
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            let cut = &line[..at];
            prop_assert!(agrees(cut).is_ok(), "{:?}", agrees(cut));
            // And with a few bytes replaced.
            let mut edited = line.clone();
            for (at, with) in edits {
                let mut at = at.min(edited.len().saturating_sub(1));
                while !edited.is_char_boundary(at) {
                    at -= 1;
                }
                let end = edited[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                edited.replace_range(at..end, with);
            }
            prop_assert!(agrees(&edited).is_ok(), "{:?}", agrees(&edited));
            prop_assert_eq!(serde_ways_agree(&edited), Ok(()));
        }

        #[test]
        fn carries_what_serde_structs_read_on_generated_records(
            fields in prop::collection::vec((prop::sample::select(vec![
                "fromAddress", "toAddress", "Campaign", "OutBoundType", "CallVariables", "x",
                r"fr\u006fmAddress", r"\ud800",
            ]), json()), 0..5),
            members in prop::collection::vec((prop::sample::select(vec![
                "ResponseFields", "ResponseActual", "CallVariables", "x",
            ]), 0usize..3), 0..5),
            envelope in any::<bool>(),
        ) {
            let body: Vec<String> = fields.iter().map(|(k, v)| format!(r#""{k}":{v}"#)).collect();
            let fields = format!("{{{}}}", body.join(","));
            let line = if envelope {
                let value = |key: &str, variant: usize| match (key, variant) {
                    ("ResponseFields", 1) => r#"[null,"1","2","c","o"]"#.to_owned(),
                    ("ResponseActual", 0) => {
                        r#"{"data":{"agentId":"a","interactionId":"c","eventTime":5}}"#.to_owned()
                    }
                    (_, 2) => "null".to_owned(),
                    _ => fields.clone(),
                };
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, variant)| format!(r#""{k}":{}"#, value(k, *variant)))
                    .chain([r#""event":"AgentOfferContact""#.to_owned()])
                    .collect();
                format!(r#"{{"message":{{"call":{{{}}}}}}}"#, members.join(","))
            } else {
                let tail = if body.is_empty() { String::new() } else { format!(",{}", body.join(",")) };
                format!(r#"{{"agent":"a","event":"Ready"{tail}}}"#)
            };
            prop_assert!(carried_agrees(&line).is_ok(), "{:?}", carried_agrees(&line));
        }

        #[test]
        fn reads_call_processing_details_as_serde_and_the_text_do(
            interaction in interaction(),
            rona in prop::sample::select(vec!["", r#","ronaTimeout":"30""#]),
            envelope in any::<bool>(),
        ) {
            let data = format!(
                r#"{{"type":"AgentOfferContact","agentId":"a","interactionId":"c","eventTime":5,"interaction":{interaction}{rona}}}"#
            );
            let line = if envelope {
                format!(
                    r#"{{"message":{{"call":{{"event":"AgentOfferContact","CallVariables":{{"ronaTimeout":"40"}},"ResponseActual":{{"data":{data}}}}}}}}}"#
                )
            } else {
                format!(r#"{{"data":{data}}}"#)
            };
            prop_assert!(agrees(&line).is_ok(), "{:?}", agrees(&line));
            prop_assert_eq!(serde_ways_agree(&line), Ok(()));
            prop_assert_eq!(deadlines_agree(&line), Ok(()));
        }
    }
}
