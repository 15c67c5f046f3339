//! The depth guard: a line nested deeper than [`MAX_DEPTH`] levels is `malformed`
//! (SPEC §5), told before serde reads it (the scanner counts levels itself).

/// Records nested deeper than this many levels are `malformed` (SPEC §5).
pub const MAX_DEPTH: usize = 128;

/// Does `json` nest arrays and objects deeper than `limit`? Brackets inside strings
/// do not count. Lines with few brackets are answered by counting them alone.
pub(super) fn nesting_exceeds(json: &[u8], limit: usize) -> bool {
    if memchr::memchr2_iter(b'{', b'[', json).nth(limit).is_none() {
        return false;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => {
                // Skip the string: to the next quote not escaped by a backslash.
                i += 1;
                while let Some(j) = json
                    .get(i..)
                    .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                {
                    i += j;
                    if json[i] == b'\\' {
                        // Skip the escaped byte; a backslash may end the line.
                        i += 2;
                    } else {
                        break;
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    false
}
