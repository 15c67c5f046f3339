//! Checkpoints: a partition's engine snapshot and the input offset it
//! corresponds to, as messages of the state topic, and back.
//!
//! A checkpoint is the engine's snapshot JSON cut into parts of at most
//! `--checkpoint-part-bytes` (the broker refuses messages over its size
//! limit). Part `i` of `n` is keyed `TOPIC/PARTITION/SLOT/i`, with headers
//! `callstate-offset` (the next input offset to judge), `callstate-part` (`i`)
//! and `callstate-parts` (`n`). Checkpoints of a partition alternate between
//! slots 0 and 1: the state topic is compacted (the last message of each key
//! stays), so a crash while one slot is written leaves the other whole. On
//! restore, the whole checkpoint with the highest offset wins. Replay is
//! deterministic, so two checkpoints of the same offset are the same state,
//! except that with `--idle-after` an idle partition's clock moves at the same
//! offset: of two there, the later written wins, and a member whose assignment
//! was lost writes none (`rebalance.rs`).

use std::collections::HashMap;

/// Header: the next input offset to judge after the checkpoint's state.
pub(super) const OFFSET: &str = "callstate-offset";
/// Header: the part's index, from 0.
pub(super) const PART: &str = "callstate-part";
/// Header: how many parts the checkpoint has.
pub(super) const PARTS: &str = "callstate-parts";

/// One message of a checkpoint.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Part<'a> {
    pub key: String,
    pub offset: i64,
    pub part: u32,
    pub parts: u32,
    pub payload: &'a [u8],
}

/// The messages of a checkpoint of `topic`'s `partition` at `offset`, in slot `slot`.
pub(super) fn parts<'a>(
    topic: &str,
    partition: i32,
    slot: u8,
    offset: i64,
    json: &'a str,
    part_bytes: usize,
) -> Vec<Part<'a>> {
    let chunks: Vec<&[u8]> = json.as_bytes().chunks(part_bytes.max(1)).collect();
    let parts = chunks.len().max(1) as u32;
    let chunks = if chunks.is_empty() {
        vec![&b""[..]]
    } else {
        chunks
    };
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, payload)| Part {
            key: format!("{topic}/{partition}/{slot}/{i}"),
            offset,
            part: i as u32,
            parts,
            payload,
        })
        .collect()
}

/// A whole checkpoint read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Checkpoint {
    pub offset: i64,
    pub slot: u8,
    pub json: String,
}

#[derive(Debug)]
struct Partial {
    offset: i64,
    parts: u32,
    bytes: Vec<u8>,
    got: u32,
}

/// Reassembles checkpoints from the state topic's messages, read in order.
#[derive(Debug, Default)]
pub(super) struct Assembler {
    partial: HashMap<(String, i32, u8), Partial>,
    whole: HashMap<(String, i32), Checkpoint>,
    /// Messages that were not checkpoint parts (ignored).
    pub ignored: u64,
}

/// `TOPIC/PARTITION/SLOT/PART` split.
fn parse_key(key: &str) -> Option<(&str, i32, u8, u32)> {
    let mut it = key.rsplitn(4, '/');
    let part = it.next()?.parse().ok()?;
    let slot = it.next()?.parse().ok().filter(|s| *s < 2)?;
    let partition = it.next()?.parse().ok()?;
    let topic = it.next()?;
    Some((topic, partition, slot, part))
}

impl Assembler {
    /// Takes the next message of the state topic. `headers` gives a header's value.
    pub fn push<'h>(
        &mut self,
        key: Option<&[u8]>,
        header: impl Fn(&str) -> Option<&'h [u8]>,
        payload: &[u8],
    ) {
        let num =
            |name: &str| -> Option<i64> { std::str::from_utf8(header(name)?).ok()?.parse().ok() };
        let parsed = key
            .and_then(|k| std::str::from_utf8(k).ok())
            .and_then(parse_key)
            .zip(num(OFFSET).zip(num(PART).zip(num(PARTS))));
        let Some(((topic, partition, slot, part), (offset, (hpart, parts)))) = parsed else {
            self.ignored += 1;
            return;
        };
        let (Ok(parts), true) = (u32::try_from(parts), hpart == i64::from(part)) else {
            self.ignored += 1;
            return;
        };
        let id = (topic.to_owned(), partition, slot);
        if part == 0 {
            self.partial.insert(
                id.clone(),
                Partial {
                    offset,
                    parts,
                    bytes: Vec::new(),
                    got: 0,
                },
            );
        }
        let Some(p) = self.partial.get_mut(&id) else {
            return; // a part whose first part was compacted away
        };
        if p.offset != offset || p.parts != parts || p.got != part {
            self.partial.remove(&id);
            return;
        }
        p.bytes.extend_from_slice(payload);
        p.got += 1;
        if p.got < p.parts {
            return;
        }
        let Some(p) = self.partial.remove(&id) else {
            return;
        };
        let Ok(json) = String::from_utf8(p.bytes) else {
            self.ignored += 1;
            return;
        };
        let best = self.whole.entry((id.0, partition)).or_insert(Checkpoint {
            offset: i64::MIN,
            slot,
            json: String::new(),
        });
        if offset >= best.offset {
            *best = Checkpoint { offset, slot, json };
        }
    }

    /// The latest whole checkpoint of `topic`'s `partition`.
    pub fn take(&mut self, topic: &str, partition: i32) -> Option<Checkpoint> {
        self.whole.remove(&(topic.to_owned(), partition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(a: &mut Assembler, parts: &[Part<'_>]) {
        for p in parts {
            let (offset, part, n) = (
                p.offset.to_string(),
                p.part.to_string(),
                p.parts.to_string(),
            );
            a.push(
                Some(p.key.as_bytes()),
                |h| match h {
                    OFFSET => Some(offset.as_bytes()),
                    PART => Some(part.as_bytes()),
                    PARTS => Some(n.as_bytes()),
                    _ => None,
                },
                p.payload,
            );
        }
    }

    #[test]
    fn parts_reassemble_and_the_highest_offset_wins() {
        let json = r#"{"version":2,"agents":{"a.b/c":1}}"#;
        let ps = parts("in.put", 3, 0, 100, json, 5);
        assert_eq!(ps.len(), json.len().div_ceil(5));
        assert_eq!(ps[1].key, "in.put/3/0/1");
        let later = parts("in.put", 3, 1, 200, "{}", 5);
        let mut a = Assembler::default();
        feed(&mut a, &later);
        feed(&mut a, &ps);
        let c = a.take("in.put", 3).map(|c| (c.offset, c.slot, c.json));
        assert_eq!(c, Some((200, 1, "{}".to_owned())));
        let mut a = Assembler::default();
        feed(&mut a, &ps);
        assert_eq!(a.take("in.put", 3).map(|c| c.json), Some(json.to_owned()));
        assert_eq!(a.take("in.put", 3), None);
    }

    #[test]
    fn a_checkpoint_cut_short_leaves_the_other_slot() {
        let old = parts("t", 0, 0, 10, "0123456789", 4);
        let new = parts("t", 0, 1, 20, "abcdefghij", 4);
        let mut a = Assembler::default();
        feed(&mut a, &old);
        feed(&mut a, &new[..2]); // crashed before the last part
        assert_eq!(a.take("t", 0).map(|c| c.offset), Some(10));
        // Not a checkpoint at all.
        a.push(Some(b"junk"), |_| None, b"x");
        assert_eq!(a.ignored, 1);
    }
}
