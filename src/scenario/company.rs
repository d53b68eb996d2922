//! `[company]`: the starting ARR, churn and expansion.

use crate::dist::{Dist, Support};

use super::read::{Reader, Tbl};
use super::types::*;

pub(super) fn read_company(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Company> {
    let Some(mut t) = r.table(top, "company") else {
        return Some(Company {
            arr: 0.0,
            monthly_churn: Dist::constant(0.0),
            monthly_expansion: Dist::constant(0.0),
            churn_multiplier_unsupported: DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED,
        });
    };
    let arr = r.number(&mut t, "arr", 0.0, MAX_MONEY);
    r.not_tiny(&t, "arr", MIN_MONEY, MAX_MONEY, true);
    let churn = r.dist(&mut t, "monthly_churn", Support::Unit, 1.0);
    let expansion = r.dist(&mut t, "monthly_expansion", Support::Unit, 1.0);
    let ok_arr = arr.is_some() || !t.has("arr");
    let ok_churn = churn.is_some() || !t.has("monthly_churn");
    let ok_exp = expansion.is_some() || !t.has("monthly_expansion");
    let unsupported = r.number(&mut t, "churn_multiplier_unsupported", 0.0, 100.0);
    let ok_uns = unsupported.is_some() || !t.has("churn_multiplier_unsupported");
    r.finish(t);
    (ok_arr && ok_churn && ok_exp && ok_uns).then(|| Company {
        arr: arr.unwrap_or(0.0),
        monthly_churn: churn.unwrap_or(Dist::constant(0.0)),
        monthly_expansion: expansion.unwrap_or(Dist::constant(0.0)),
        churn_multiplier_unsupported: unsupported.unwrap_or(DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED),
    })
}
