//! How many closers each segment has: the owners active at the as-of date, each in the
//! segment that holds most of their opportunities; a segment that is no one's main one
//! (a column such as the deal type, which every rep works) gets its share of the
//! active owners who work it, by their opportunities.

use std::collections::BTreeMap;

/// A segment's closers.
#[derive(Debug, Clone, PartialEq)]
pub struct Headcount {
    /// Closers written in the scenario.
    pub count: u64,
    /// The active owners whose main segment it is.
    pub main: u64,
    /// The active owners' opportunities in it, as a share of each one's, summed: the
    /// people its work takes.
    pub share: f64,
}

/// Each of `segments` segments' closers, from the active owners' opportunities by
/// segment. An owner's main segment is the one with most of their opportunities (the
/// lower index on a tie). A segment that is no active owner's main one gets its share,
/// rounded, and at least 1 when any active owner works it.
pub fn headcounts<'a>(active: impl IntoIterator<Item = &'a BTreeMap<u32, u64>>, segments: usize) -> Vec<Headcount> {
    let mut out = vec![Headcount { count: 0, main: 0, share: 0.0 }; segments];
    for by_segment in active {
        let total: u64 = by_segment.values().sum();
        if let Some((main, _)) = by_segment.iter().max_by_key(|(seg, n)| (**n, std::cmp::Reverse(**seg)))
            && let Some(h) = out.get_mut(*main as usize)
        {
            h.main += 1;
        }
        for (seg, n) in by_segment {
            if let Some(h) = out.get_mut(*seg as usize) {
                h.share += *n as f64 / total.max(1) as f64;
            }
        }
    }
    for h in &mut out {
        h.count = if h.main > 0 {
            h.main
        } else if h.share > 0.0 {
            (h.share.round() as u64).max(1)
        } else {
            0
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_no_one_mainly_works_gets_its_share_of_those_who_work_it() {
        let reps: Vec<BTreeMap<u32, u64>> = vec![
            [(0, 6), (1, 3), (2, 1)].into_iter().collect(),
            [(0, 5), (1, 4), (2, 1)].into_iter().collect(),
            [(0, 7), (1, 2), (2, 1)].into_iter().collect(),
            [(3, 4)].into_iter().collect(),
        ];
        let h = headcounts(&reps, 5);
        let counts: Vec<u64> = h.iter().map(|h| h.count).collect();
        // Segment 0 is three reps' main one; 1 takes 0.9 of a person, 2 takes 0.3 (at
        // least 1), 3 is one rep's, 4 is worked by no one.
        assert_eq!(counts, [3, 1, 1, 1, 0]);
        assert!((h[1].share - 0.9).abs() < 1e-12 && h[1].main == 0);
    }
}
