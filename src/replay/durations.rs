//! The summary of the calls of a replay (SPEC §12.7): counts by outcome, and per
//! bucket the exact nearest-rank percentiles of the clean, timed calls' durations.

use crate::model::call::HANDLE;
use crate::model::call::{Bucket, Outcome};
use crate::replay::calls::{CallFacts, CallRecord};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;
use std::io::{self, Write};
use strum::{EnumCount, IntoEnumIterator};

/// The percentiles reported, in percent.
pub const PERCENTILES: [u64; 3] = [50, 90, 99];

/// Durations in milliseconds, each distinct value with its count: exact, in
/// memory that grows with the number of distinct values, not of calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distribution {
    counts: BTreeMap<u64, u64>,
    n: u64,
    sum: u128,
}

impl Distribution {
    /// Adds one duration.
    pub fn add(&mut self, ms: u64) {
        *self.counts.entry(ms).or_insert(0) += 1;
        self.n += 1;
        self.sum += u128::from(ms);
    }

    /// How many durations.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// No duration yet?
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The mean, rounded down to the millisecond.
    pub fn mean(&self) -> Option<u64> {
        (self.n > 0).then(|| (self.sum / u128::from(self.n)) as u64)
    }

    /// The nearest-rank `p`-th percentile (`0 < p <= 100`): the smallest value
    /// with at least ⌈p·n/100⌉ values at or below it.
    pub fn percentile(&self, p: u64) -> Option<u64> {
        let rank = (u128::from(p) * u128::from(self.n)).div_ceil(100).max(1);
        let mut seen = 0u128;
        for (&value, &count) in &self.counts {
            seen += u128::from(count);
            if seen >= rank {
                return Some(value);
            }
        }
        None
    }

    /// The largest value.
    pub fn max(&self) -> Option<u64> {
        self.counts.keys().next_back().copied()
    }
}

impl Serialize for Distribution {
    /// `{"calls":n,"mean":…,"p50":…,"p90":…,"p99":…,"max":…}`, null when empty.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("calls", &self.n)?;
        map.serialize_entry("mean", &self.mean())?;
        for p in PERCENTILES {
            map.serialize_entry(&format!("p{p}"), &self.percentile(p))?;
        }
        map.serialize_entry("max", &self.max())?;
        map.end()
    }
}

/// The calls of a replay, summed up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallSummary {
    /// Calls finished.
    pub finished: u64,
    /// Calls open at the end (set by the replay when it is asked).
    pub open: u64,
    /// Finished calls that were clean.
    pub clean: u64,
    /// Finished calls that were not (counted apart: not in the durations).
    pub repaired: u64,
    /// Clean finished calls with a transition that carried no time.
    pub untimed: u64,
    /// Finished calls by outcome, indexed by `Outcome as usize`.
    pub outcomes: [u64; Outcome::COUNT],
    /// Per bucket, the durations of the clean timed calls that spent time in it.
    pub durations: [Distribution; Bucket::COUNT],
    /// Handle times (talk + hold + wrap-up) of the clean timed answered calls.
    pub handle: Distribution,
}

impl CallSummary {
    /// Counts a finished call.
    pub fn add(&mut self, call: &CallRecord) {
        self.add_facts(&call.facts());
    }

    /// Counts a finished call, from what the summary needs of it.
    pub fn add_facts(&mut self, call: &CallFacts) {
        self.finished += 1;
        self.outcomes[call.outcome as usize] += 1;
        if !call.clean {
            self.repaired += 1;
            return;
        }
        self.clean += 1;
        if !call.timed {
            self.untimed += 1;
            return;
        }
        for bucket in Bucket::iter() {
            let ms = call.spent[bucket as usize];
            if ms > 0 {
                self.durations[bucket as usize].add(ms);
            }
        }
        if call.answered {
            self.handle
                .add(HANDLE.iter().map(|b| call.spent[*b as usize]).sum());
        }
    }

    /// The report for a person: counts, outcomes, then one row per bucket.
    pub fn write_human(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "calls: {} finished ({} clean, {} repaired, {} untimed), {} open",
            self.finished, self.clean, self.repaired, self.untimed, self.open
        )?;
        let outcomes: Vec<String> = Outcome::iter()
            .filter(|o| self.outcomes[*o as usize] > 0)
            .map(|o| format!("{o} {}", self.outcomes[o as usize]))
            .collect();
        if !outcomes.is_empty() {
            writeln!(out, "  outcomes: {}", outcomes.join(", "))?;
        }
        writeln!(
            out,
            "  {:<11}{:>7}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "clean calls", "calls", "mean", "p50", "p90", "p99", "max"
        )?;
        let rows = Bucket::iter()
            .map(|b| (<&'static str>::from(b), &self.durations[b as usize]))
            .chain([("handle", &self.handle)]);
        for (name, d) in rows.filter(|(_, d)| !d.is_empty()) {
            let cell = |ms: Option<u64>| ms.map_or_else(|| "-".to_owned(), seconds);
            writeln!(
                out,
                "  {:<11}{:>7}{:>10}{:>10}{:>10}{:>10}{:>10}",
                name,
                d.len(),
                cell(d.mean()),
                cell(d.percentile(50)),
                cell(d.percentile(90)),
                cell(d.percentile(99)),
                cell(d.max())
            )?;
        }
        Ok(())
    }
}

/// Milliseconds as seconds with three decimals: `12.345s`.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

impl Serialize for CallSummary {
    /// The `calls` object of SPEC §12.7, keys in its order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Outcomes<'a>(&'a [u64; Outcome::COUNT]);
        impl Serialize for Outcomes<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(None)?;
                // Open calls are counted by `open`: no finished call is open.
                for o in Outcome::iter().filter(|o| *o != Outcome::Open) {
                    map.serialize_entry(o.as_ref(), &self.0[o as usize])?;
                }
                map.end()
            }
        }
        struct Durations<'a>(&'a CallSummary);
        impl Serialize for Durations<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(Bucket::COUNT + 1))?;
                for b in Bucket::iter() {
                    map.serialize_entry(b.as_ref(), &self.0.durations[b as usize])?;
                }
                map.serialize_entry("handle", &self.0.handle)?;
                map.end()
            }
        }
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("finished", &self.finished)?;
        map.serialize_entry("open", &self.open)?;
        map.serialize_entry("clean", &self.clean)?;
        map.serialize_entry("repaired", &self.repaired)?;
        map.serialize_entry("untimed", &self.untimed)?;
        map.serialize_entry("outcomes", &Outcomes(&self.outcomes))?;
        map.serialize_entry("durations", &Durations(self))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_are_values_of_the_data() {
        let mut d = Distribution::default();
        assert_eq!((d.percentile(50), d.max(), d.mean()), (None, None, None));
        for ms in [15, 20, 35, 40, 50] {
            d.add(ms);
        }
        // n = 5: ranks ⌈2.5⌉ = 3, ⌈4.5⌉ = 5, ⌈4.95⌉ = 5.
        assert_eq!(d.percentile(50), Some(35));
        assert_eq!(d.percentile(90), Some(50));
        assert_eq!(d.percentile(99), Some(50));
        assert_eq!(d.percentile(100), Some(50));
        assert_eq!(d.mean(), Some(32));
        let mut one = Distribution::default();
        one.add(7);
        assert_eq!(one.percentile(1), Some(7));
    }
}
