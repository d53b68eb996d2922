//! A closer role's `skill`: how much its people differ from one another, as two
//! multipliers each person draws once when hired (per event): of the opportunities they
//! can work, and of the win rate of the deals they work.

use crate::dist::{Dist, Support};

use super::read::{Reader, Tbl};

/// Largest multiplier a skill distribution may give.
pub const MAX_SKILL: f64 = 100.0;

/// A closer role's spread of skill between its people.
#[derive(Debug, Clone)]
pub struct Skill {
    /// Multiplier of the opportunities a person works a month (mean 1 keeps the role's
    /// capacity as `opportunities_per_month` says); per person.
    pub productivity: Dist,
    /// Multiplier of the segment's win rate for the deals a person works (the product is
    /// at most 1); per person.
    pub win_rate: Dist,
}

/// Reads `skill = { productivity = ..., win_rate = ... }` of a role, if written: each
/// multiplier a non-negative number or distribution, 1 when left out.
pub fn read_skill(r: &mut Reader, t: &mut Tbl<'_>) -> Option<Option<Skill>> {
    if !t.has("skill") {
        let _ = t.entry("skill");
        return Some(None);
    }
    let mut s = r.table(t, "skill")?;
    let productivity = r.dist(&mut s, "productivity", Support::NonNegative, MAX_SKILL);
    let win_rate = r.dist(&mut s, "win_rate", Support::NonNegative, MAX_SKILL);
    let ok = (productivity.is_some() || !s.has("productivity")) && (win_rate.is_some() || !s.has("win_rate"));
    r.finish(s);
    ok.then(|| {
        Some(Skill {
            productivity: productivity.unwrap_or_else(|| Dist::constant(1.0)),
            win_rate: win_rate.unwrap_or_else(|| Dist::constant(1.0)),
        })
    })
}
