//! Ids kept inline when short.
//!
//! Webex agent and interaction ids are 36-byte UUIDs. Keeping them inside the
//! engine's table entry (agent ids) and inside the [`Machine`](crate::Machine)
//! (the held interaction) means that applying a record reads one entry and nothing
//! it points to, and that binding a call allocates nothing. Longer ids, which no
//! Webex log has but which are legal, live on the heap.

use std::fmt;

/// An id: its bytes inline when it has at most [`Id::INLINE`] of them, else boxed.
#[derive(Clone)]
pub(crate) enum Id {
    Inline { len: u8, bytes: [u8; Id::INLINE] },
    Heap(Box<str>),
}

impl Id {
    /// The longest id stored inline: with its length and the variant's tag, 40
    /// bytes, a multiple of the 8-byte alignment the boxed variant needs.
    pub(crate) const INLINE: usize = 38;

    pub(crate) fn new(id: &str) -> Id {
        let mut bytes = [0; Id::INLINE];
        match bytes.get_mut(..id.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(id.as_bytes());
                Id::Inline {
                    len: id.len() as u8,
                    bytes,
                }
            }
            None => Id::Heap(Box::from(id)),
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            // `min` lets the compiler drop the bounds check: `len` never exceeds it.
            Id::Inline { len, bytes } => &bytes[..usize::from(*len).min(Id::INLINE)],
            Id::Heap(id) => id.as_bytes(),
        }
    }

    /// Is this id `other`? Faster than comparing slices for ids of 8 to 64
    /// bytes (every UUID): a few fixed-size compares instead of a call to
    /// `memcmp`.
    #[inline]
    pub(crate) fn is(&self, other: &[u8]) -> bool {
        same_bytes(self.as_bytes(), other)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Built from a &str, so always UTF-8.
        std::str::from_utf8(self.as_bytes()).unwrap_or_else(|_| unreachable!())
    }
}

/// `a == b`, for short slices: two overlapping fixed-size compares cover any
/// length from N to 2N.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn ends<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        a.first_chunk::<N>() == b.first_chunk::<N>() && a.last_chunk::<N>() == b.last_chunk::<N>()
    }
    // cargo-mutants: deleting any of the three sized arms is equivalent (the
    // slice compare below answers the same, only slower).
    match a.len() {
        len if len != b.len() => false,
        8..=16 => ends::<8>(a, b),
        17..=32 => ends::<16>(a, b),
        33..=64 => ends::<32>(a, b),
        _ => a == b,
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Id) -> bool {
        self.is(other.as_bytes())
    }
}

impl Eq for Id {}

// Hashes what `eq` compares: the bytes, whichever variant holds them.
impl std::hash::Hash for Id {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_inline_and_long_ones_boxed_and_both_read_back() {
        let exact = "y".repeat(Id::INLINE);
        let long = "x".repeat(Id::INLINE + 1);
        assert!(matches!(Id::new(&exact), Id::Inline { .. }));
        assert!(matches!(Id::new(&long), Id::Heap(_)));
        for id in ["", "a", "é-ü", exact.as_str(), long.as_str()] {
            assert_eq!(Id::new(id).as_str(), id);
            assert_eq!(Id::new(id), Id::new(id));
        }
        assert_ne!(Id::new("ab"), Id::new("abc"));
    }

    #[test]
    fn an_id_hashes_and_debugs_as_its_text() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hasher = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
        let long = "x".repeat(Id::INLINE + 1);
        for text in ["a1", long.as_str()] {
            let id = Id::new(text);
            assert_eq!(hasher.hash_one(&id), hasher.hash_one(text.as_bytes()));
            assert_eq!(format!("{id:?}"), format!("{text:?}"));
        }
        assert_ne!(
            hasher.hash_one(Id::new("a1")),
            hasher.hash_one(Id::new("a2"))
        );
    }

    #[test]
    fn same_bytes_is_slice_equality_at_every_length() {
        let base: Vec<u8> = (0..=100u8).collect();
        for len in 0..=100 {
            let a = &base[..len];
            assert!(same_bytes(a, a));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 1;
                assert!(!same_bytes(a, &b), "len {len}, byte {at}");
                assert!(!same_bytes(&b, a), "len {len}, byte {at}");
            }
            if len > 0 {
                assert!(!same_bytes(a, &base[..len - 1]));
                assert!(!same_bytes(a, &base[1..=len]));
            }
        }
        // Slices of different lengths whose first and last 8, 16 or 32 bytes
        // agree: the length check, not the overlapping compares, tells them apart.
        for n in [8, 16, 32] {
            let (short, long) = (vec![b'a'; n + 2], vec![b'a'; n + 4]);
            assert!(
                !same_bytes(&short, &long),
                "{} vs {}",
                short.len(),
                long.len()
            );
        }
        // A UUID with the variant and length fits the boxed variant's size.
        assert_eq!(std::mem::size_of::<Option<Id>>(), 40);
    }
}
