//! A chunk of trials on its way into an aggregate ([`CellSink`]): the trials' rows (one value a
//! cell, in the layout's order) turned into one column a cell, so that the aggregate
//! reads each cell's values in one contiguous run instead of one value a row.
//!
//! A scenario's unused metrics, and counts that cannot vary, have one value in every
//! trial, chunk after chunk. The cells that held one value in every trial of the last
//! chunk are the chunk's *steady* runs: while a run holds, each new row is compared with
//! its values (a comparison of contiguous values) and nothing is written; the chunk
//! adds them as copies of one value. A run that breaks is filled in with the values its
//! earlier trials had and written from then on. What is added never depends on the
//! runs: a cell is added as copies exactly when all its values in the chunk have one
//! value's bits.

use std::ops::Range;

/// The values of one cell in the trials a [`CellSink`] adds.
#[derive(Debug, Clone, Copy)]
pub enum CellValues<'v> {
    /// The same value (the same bits) in every trial.
    Copies(f64),
    /// One value a trial, in trial order (at least as many as the trials added).
    Each(&'v [f64]),
}

/// What a chunk adds its trials to, cell by cell: the run's aggregate
/// ([`super::Aggregate`]).
pub trait CellSink {
    /// Number of cells.
    fn cells(&self) -> usize;
    /// Adds `trials` trials given cell by cell: `cell(c)` gives the values of cell `c`.
    fn add_cells<'v>(&mut self, trials: usize, cell: impl Fn(usize) -> CellValues<'v>);
}

/// Rows turned into columns, up to a fixed number of trials (see the module
/// documentation).
#[derive(Debug, Clone)]
pub struct Chunk {
    width: usize,
    capacity: usize,
    /// Cell `c` of trial `t` at `c * capacity + t`, for the cells being written.
    columns: Vec<f64>,
    /// Trials pushed since the chunk was last added.
    held: usize,
    /// Runs of cells constant in the last chunk (ascending, disjoint), with whether each
    /// still holds in this one.
    steady: Vec<(Range<usize>, bool)>,
    /// The value of each cell of a steady run.
    reference: Vec<f64>,
    /// The runs of cells written into `columns`: every cell outside a run that holds.
    written: Vec<Range<usize>>,
}

impl Chunk {
    /// An empty chunk of trials of `width` cells, for at most `capacity` trials.
    pub fn new(width: usize, capacity: usize) -> Chunk {
        let capacity = capacity.max(1);
        Chunk {
            width,
            capacity,
            columns: vec![0.0; width * capacity],
            held: 0,
            steady: Vec::new(),
            reference: vec![0.0; width],
            written: complement(&[], width),
        }
    }

    /// Trials pushed and not yet added.
    pub fn len(&self) -> usize {
        self.held
    }

    /// Whether no trial is held.
    pub fn is_empty(&self) -> bool {
        self.held == 0
    }

    /// Whether the chunk holds as many trials as it can.
    pub fn is_full(&self) -> bool {
        self.held == self.capacity
    }

    /// Takes the trials of `rows` (whole rows of `width` values, at most the room left).
    pub fn push(&mut self, rows: &[f64]) {
        let (width, capacity, held) = (self.width, self.capacity, self.held);
        if width == 0 {
            return;
        }
        let n = rows.len() / width;
        assert!(held + n <= capacity, "a chunk of {capacity} trials cannot take {n} more after {held}");
        let mut broken = false;
        for (run, holds) in self.steady.iter_mut().filter(|(_, holds)| *holds) {
            let reference = &self.reference[run.clone()];
            if rows.chunks_exact(width).all(|row| same_bits_as(&row[run.clone()], reference)) {
                continue;
            }
            // The trials before this one had the run's values.
            *holds = false;
            broken = true;
            for c in run.clone() {
                self.columns[c * capacity..c * capacity + held].fill(self.reference[c]);
            }
        }
        if broken {
            self.written = complement(&self.steady, width);
        }
        for cells in &self.written {
            for c in cells.clone() {
                let column = &mut self.columns[c * capacity + held..c * capacity + held + n];
                for (slot, row) in column.iter_mut().zip(rows.chunks_exact(width)) {
                    *slot = row[c];
                }
            }
        }
        self.held += n;
    }

    /// Adds the trials held to `aggregate` (of `width` cells) and empties the chunk; the
    /// cells that had one value in all of them are its next steady runs.
    pub fn add_to(&mut self, aggregate: &mut impl CellSink) {
        assert_eq!(aggregate.cells(), self.width, "an aggregate of other cells");
        let (capacity, held) = (self.capacity, self.held);
        if held == 0 {
            return;
        }
        // Copies: the runs that held, and the written cells found constant (the next
        // chunk's runs).
        let mut copies = vec![false; self.width];
        for (run, _) in self.steady.iter().filter(|(_, holds)| *holds) {
            copies[run.clone()].fill(true);
        }
        for cells in &self.written {
            for c in cells.clone() {
                let column = &self.columns[c * capacity..c * capacity + held];
                if same_bits(column, column[0]) {
                    copies[c] = true;
                    self.reference[c] = column[0];
                }
            }
        }
        let (columns, reference) = (&self.columns, &self.reference);
        aggregate.add_cells(held, |c| {
            if copies[c] {
                CellValues::Copies(reference[c])
            } else {
                CellValues::Each(&columns[c * capacity..c * capacity + held])
            }
        });
        self.steady = runs_of(&copies).into_iter().map(|run| (run, true)).collect();
        self.written = complement(&self.steady, self.width);
        self.held = 0;
    }
}

/// Whether every one of `values` has the bits of `first`: one pass without an early
/// exit, which the compiler turns into vector instructions.
#[inline]
fn same_bits(values: &[f64], first: f64) -> bool {
    let bits = first.to_bits();
    values.iter().fold(0u64, |d, v| d | (v.to_bits() ^ bits)) == 0
}

/// Whether `a` holds the bits of `b`, value by value: one pass without an early exit.
#[inline]
fn same_bits_as(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).fold(0u64, |d, (x, y)| d | (x.to_bits() ^ y.to_bits())) == 0
}

/// The runs of consecutive `true` in `flags`.
fn runs_of(flags: &[bool]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (c, &flag) in flags.iter().chain([&false]).enumerate() {
        match (flag, start) {
            (true, None) => start = Some(c),
            (false, Some(s)) => {
                runs.push(s..c);
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// The cells of `0..width` outside the runs of `steady` that hold, as runs.
fn complement(steady: &[(Range<usize>, bool)], width: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for (run, _) in steady.iter().filter(|(_, holds)| *holds) {
        if run.start > at {
            out.push(at..run.start);
        }
        at = run.end;
    }
    if at < width {
        out.push(at..width);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Aggregate, Quantiles, Stats, describe, sketch::Sketch, sketched, sum::ExactSum};
    use rand::{RngExt, SeedableRng};

    #[test]
    fn runs_are_the_stretches_of_true() {
        assert_eq!(runs_of(&[]), vec![]);
        assert_eq!(runs_of(&[false, true, true, false, true]), vec![1..3, 4..5]);
        assert_eq!(runs_of(&[true, true]), vec![0..2]);
    }

    #[test]
    fn the_written_cells_are_those_outside_the_runs_that_hold() {
        let steady = [(1..3, true), (4..5, false), (6..8, true)];
        assert_eq!(complement(&steady, 8), vec![0..1, 3..6]);
        assert_eq!(complement(&steady, 9), vec![0..1, 3..6, 8..9]);
        assert_eq!(complement(&[], 4), vec![0..4]);
    }

    /// Trials of `cells` cells: cells constant in some stretches of trials and not in
    /// others (runs that break and mend, one cell breaking once in a while), NaN and
    /// signed zeros among the constants; whole numbers, money amounts, values of both
    /// signs and missing values among those that vary.
    fn rows(trials: usize, cells: usize) -> Vec<f64> {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let constants = [0.0, -0.0, f64::NAN, 1.5, 3.0];
        let mut rows = Vec::with_capacity(trials * cells);
        for t in 0..trials {
            let era = t / 150;
            for c in 0..cells {
                let varies = (c * 7 + era * 3) % 11 < 3 || (c == 5 && t % 97 == 13);
                let x: f64 = rng.random();
                rows.push(match (varies, c % 4) {
                    (false, _) => constants[(c + era) % constants.len()],
                    (true, 0) => (x * 12.0).floor(),
                    (true, 1) => 2.4e6 * (1.0 + x),
                    (true, 2) if x < 0.1 => f64::NAN,
                    (true, _) => (x - 0.4) * 1e3,
                });
            }
        }
        rows
    }

    /// The statistics' bits, to compare NaN and signed zeros too.
    fn bits(s: Option<&Stats>) -> Option<(usize, u64, [u64; 7])> {
        s.map(|s| (s.count, s.mean.to_bits(), s.quantiles.map(f64::to_bits)))
    }

    /// Pushes `rows` into a chunk of `capacity` trials, `step` rows at a time, adding it
    /// to the aggregate when it is full or holds at least the next of `sizes` trials
    /// (chunks of changing sizes, as the last of a run is).
    fn through_chunks(
        rows: &[f64],
        cells: usize,
        (capacity, step, sizes): (usize, usize, &[usize]),
        quantiles: Quantiles,
    ) -> Aggregate {
        let mut aggregate = Aggregate::new(cells, quantiles);
        let mut chunk = Chunk::new(cells, capacity);
        let mut size = sizes.iter().cycle();
        let mut next = *size.next().unwrap_or(&capacity);
        for group in rows.chunks(step * cells) {
            // A group may straddle the end of a chunk.
            let room = (capacity - chunk.len()).min(group.len() / cells);
            chunk.push(&group[..room * cells]);
            if chunk.is_full() || chunk.len() >= next {
                chunk.add_to(&mut aggregate);
                next = *size.next().unwrap_or(&capacity);
            }
            chunk.push(&group[room * cells..]);
        }
        chunk.add_to(&mut aggregate);
        assert!(chunk.is_empty());
        aggregate
    }

    #[test]
    fn chunks_of_any_size_give_the_statistics_of_each_value_added() {
        let (trials, cells) = (2000, 40);
        let rows = rows(trials, cells);
        // The reference: each cell's values added one by one.
        let want: Vec<Option<Stats>> = (0..cells)
            .map(|c| {
                let (mut sum, mut sketch, mut count) = (ExactSum::new(), Sketch::new(), 0u64);
                for v in (0..trials).map(|t| rows[t * cells + c]).filter(|v| !v.is_nan()) {
                    sum.add(v);
                    sketch.add(v);
                    count += 1;
                }
                sketched(sum.value(), count, &sketch)
            })
            .collect();
        let changing: &[usize] = &[13, 90, 41, 200, 7];
        for (capacity, step, sizes) in [
            (256, 8, &[][..]),
            (256, 1, &[]),
            (37, 8, &[]),
            (200, 3, &[]),
            (1, 1, &[]),
            (2000, 2000, &[]),
            (256, 8, changing),
            (256, 5, changing),
        ] {
            let got = through_chunks(&rows, cells, (capacity, step, sizes), Quantiles::Sketch).into_stats();
            for c in 0..cells {
                assert_eq!(
                    bits(got[c].as_ref()),
                    bits(want[c].as_ref()),
                    "cell {c}, chunks of {capacity} (added at {sizes:?}), {step} rows at a time"
                );
            }
        }
        let mut by_rows = Aggregate::new(cells, Quantiles::Sketch);
        rows.chunks(300 * cells).for_each(|part| by_rows.add_trials(part));
        let got = by_rows.into_stats();
        for c in 0..cells {
            assert_eq!(bits(got[c].as_ref()), bits(want[c].as_ref()), "cell {c}, add_trials");
        }
    }

    #[test]
    fn exact_quantiles_keep_every_value_however_the_chunk_took_it() {
        let (trials, cells) = (1200, 40);
        let rows = rows(trials, cells);
        for (capacity, step, sizes) in [(256, 8, &[][..]), (37, 5, &[]), (256, 8, &[13, 90, 41, 200, 7])] {
            let got = through_chunks(&rows, cells, (capacity, step, sizes), Quantiles::Exact).into_stats();
            for c in 0..cells {
                let mut values: Vec<f64> = (0..trials).map(|t| rows[t * cells + c]).filter(|v| !v.is_nan()).collect();
                let want = describe(&mut values);
                assert_eq!(
                    got[c].as_ref().map(|s| (s.count, s.quantiles.map(f64::to_bits))),
                    want.as_ref().map(|s| (s.count, s.quantiles.map(f64::to_bits))),
                    "cell {c}, chunks of {capacity}"
                );
            }
        }
    }
}
