//! Compensation: base, commission on bookings through the plan's bands, cap, draw,
//! plan years, and quota attainment.
//!
//! A rep's monthly quota is `quota / 12 x ramp(tenure)`. At the start of each plan year
//! (and when a rep joins) the rep's plan-year quota `Q` is the sum of those monthly
//! quotas up to the plan year's last month; the variable earned for bookings `B` to date
//! is [`CompPlan::variable_earned`]`(B, Q)`, and each month pays the increase. During the
//! first `ramp_draw_months` of tenure, variable pay is at least the draw. Roles whose
//! people close no deals (SDRs, support, managers, ops) are paid base plus variable at
//! target, `variable / 12` a month. Attainment figures count ramped reps only.

use crate::scenario::{CompPlan, Role, RoleKind, Scenario};

use super::state::Person;

/// Per-person pay ledgers of one role, indexed by person id.
#[derive(Debug, Clone, Default)]
pub struct Ledgers {
    /// Bookings credited this plan year.
    pub ytd_bookings: Vec<f64>,
    /// Variable earned this plan year (before the draw).
    pub earned: Vec<f64>,
    /// Quota of the whole plan year, prorated to tenure and ramp.
    pub year_quota: Vec<f64>,
    /// Quota of the plan year to date, prorated to tenure and ramp.
    pub ytd_quota: Vec<f64>,
    /// Whether a person's bookings or plan-year quota changed since their variable was
    /// last worked out (when they did not, neither did the variable earned).
    changed: Vec<bool>,
}

/// Months from `t` to the last month of its plan year (0 when `t` is the last).
pub fn months_to_year_end(plan: &CompPlan, scenario: &Scenario, t: usize) -> usize {
    let m0 = scenario.start.offset(t as i64).month0();
    (plan.year_start as i64 - m0 as i64 - 1).rem_euclid(12) as usize
}

/// Whether month `t` starts a plan year.
pub fn starts_year(plan: &CompPlan, scenario: &Scenario, t: usize) -> bool {
    scenario.start.offset(t as i64).month0() == plan.year_start
}

/// The monthly quota of `person` of `role` in month `t`.
pub fn monthly_quota(plan: &CompPlan, role: &Role, person: &Person, t: usize) -> f64 {
    plan.quota / 12.0 * role.ramp_at(person.tenure(t as i64))
}

impl Ledgers {
    /// Empties the ledgers (keeping their memory).
    pub fn clear(&mut self) {
        self.ytd_bookings.clear();
        self.earned.clear();
        self.year_quota.clear();
        self.ytd_quota.clear();
        self.changed.clear();
    }

    fn ensure(&mut self, id: u32) {
        let n = id as usize + 1;
        if self.ytd_bookings.len() < n {
            self.ytd_bookings.resize(n, 0.0);
            self.earned.resize(n, 0.0);
            self.year_quota.resize(n, 0.0);
            self.ytd_quota.resize(n, 0.0);
            self.changed.resize(n, true);
        }
    }

    /// Opens the ledgers of `person` in month `t`: nothing booked, the plan-year quota
    /// from `t` to the year's end.
    pub fn join(&mut self, plan: &CompPlan, role: &Role, scenario: &Scenario, person: &Person, t: usize) {
        self.ensure(person.id);
        let i = person.id as usize;
        self.ytd_bookings[i] = 0.0;
        self.earned[i] = 0.0;
        self.ytd_quota[i] = 0.0;
        self.changed[i] = true;
        let end = t + months_to_year_end(plan, scenario, t);
        self.year_quota[i] = if person.tenure(t as i64) >= role.ramp.len() as i64 {
            // Ramped fully from `t` on: every month's quota is the same.
            std::iter::repeat_n(monthly_quota(plan, role, person, t), end - t + 1).sum()
        } else {
            (t..=end).map(|u| monthly_quota(plan, role, person, u)).sum()
        };
    }

    /// Credits a won deal to person `id`.
    pub fn credit(&mut self, id: u32, value: f64) {
        if let Some(b) = self.ytd_bookings.get_mut(id as usize) {
            *b += value;
            self.changed[id as usize] = true;
        }
    }

    /// Attainment to date of person `id`: bookings over the prorated quota to date
    /// (NaN before any quota has accrued).
    pub fn attainment(&self, id: u32) -> f64 {
        let i = id as usize;
        match (self.ytd_bookings.get(i), self.ytd_quota.get(i)) {
            (Some(b), Some(q)) if *q > 0.0 => b / q,
            _ => f64::NAN,
        }
    }
}

/// Whether a person counts in the attainment figures in month `t`: ramped reps only
/// (at full productivity), as sales ops reports attainment.
pub fn counts_for_attainment(spec: &Role, person: &Person, t: usize) -> bool {
    spec.ramp_at(person.tenure(t as i64)) >= 1.0
}

/// What a role's plan cost in a month, and its quota carriers' standing.
#[derive(Debug, Clone, Copy, Default)]
pub struct MonthPay {
    /// Base, commission and draws paid.
    pub cost: f64,
    /// Ramped quota carriers with quota to date.
    pub carriers: u32,
    /// Of those, how many are at or above 100% of it.
    pub at_quota: u32,
}

/// Pays the people of role `spec` for month `t` (after this month's credits), accrues
/// their quota, and returns the cost and standing.
pub fn pay_month(plan: &CompPlan, spec: &Role, ledgers: &mut Ledgers, staff: &[Person], t: usize) -> MonthPay {
    let mut out = MonthPay::default();
    let base = plan.base / 12.0;
    if spec.kind != RoleKind::Closer || plan.quota <= 0.0 {
        out.cost = staff.len() as f64 * (base + plan.variable / 12.0);
        return out;
    }
    for person in staff {
        let i = person.id as usize;
        ledgers.ytd_quota[i] += monthly_quota(plan, spec, person, t);
        // Unchanged bookings and quota earn what they earned last month: no increase.
        let increase = if ledgers.changed[i] {
            ledgers.changed[i] = false;
            let earned = plan.variable_earned(ledgers.ytd_bookings[i], ledgers.year_quota[i]);
            let increase = (earned - ledgers.earned[i]).max(0.0);
            ledgers.earned[i] = earned;
            increase
        } else {
            0.0
        };
        let tenure = person.tenure(t as i64);
        let variable = if tenure < i64::from(plan.draw_months) { increase.max(plan.draw) } else { increase };
        out.cost += base + variable;
        if counts_for_attainment(spec, person, t) && ledgers.ytd_quota[i] > 0.0 {
            out.carriers += 1;
            out.at_quota += u32::from(ledgers.ytd_bookings[i] >= ledgers.ytd_quota[i]);
        }
    }
    out
}
