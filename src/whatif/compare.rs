//! `sopsim compare`: two or more scenarios run on the same trials (the same seed and
//! trial indexes: common random numbers), side by side, with each one's paired
//! difference to the first, and the inputs in which their files differ.
//!
//! The scenarios must share their horizon (start and months) so that their months line
//! up; each is judged against its own target. Trials and seed default to the first
//! scenario's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::runner::RunResults;
use crate::scenario::key_path::flatten;
use crate::scenario::{Loaded, Scenario};

use super::{Error, Outcomes, mean_se, paired, quantile};

/// One scenario of the comparison and what it gave.
pub(crate) struct Side {
    pub(crate) file: PathBuf,
    pub(crate) loaded: Loaded,
    pub(crate) outcomes: Outcomes,
    pub(crate) results: RunResults,
}

impl Side {
    pub(crate) fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// The file's stem, to tell scenarios apart.
    pub(crate) fn stem(&self) -> String {
        self.file.file_stem().map_or_else(|| "scenario".to_string(), |s| s.to_string_lossy().into_owned())
    }
}

/// A scenario's numbers, and its paired differences to the first.
pub(crate) struct Row {
    pub(crate) p_hit: (f64, f64),
    pub(crate) diff_p_hit: (f64, f64),
    pub(crate) arr: [f64; 3],
    pub(crate) arr_mean: f64,
    pub(crate) diff_arr: (f64, f64),
    pub(crate) hires_mean: f64,
    /// P10, P50 and P90 of the hires of every role over the horizon.
    pub(crate) hires: [f64; 3],
    pub(crate) comp_cost_mean: f64,
    pub(crate) diff_comp_cost: (f64, f64),
}

pub(crate) fn row(first: &Outcomes, o: &Outcomes) -> Row {
    Row {
        p_hit: o.p_hit(),
        diff_p_hit: paired(&first.hit, &o.hit),
        arr: [quantile(&o.arr, 0.1), quantile(&o.arr, 0.5), quantile(&o.arr, 0.9)],
        arr_mean: mean_se(&o.arr).0,
        diff_arr: paired(&first.arr, &o.arr),
        hires_mean: mean_se(&o.hires).0,
        hires: [quantile(&o.hires, 0.1), quantile(&o.hires, 0.5), quantile(&o.hires, 0.9)],
        comp_cost_mean: mean_se(&o.comp_cost).0,
        diff_comp_cost: paired(&first.comp_cost, &o.comp_cost),
    }
}

/// A key and its value in each scenario text (`None` where the text does not set it).
pub type Difference = (String, Vec<Option<String>>);

/// The keys whose values differ between the scenario texts (or that only some set), in
/// the first file's order then the others': `(key, value in each text)`. Each text is
/// flattened to `key.path = value` (see [`flatten`], the key paths `--set` takes).
pub fn input_differences(texts: &[&str]) -> Result<Vec<Difference>, Error> {
    let mut flat: Vec<Vec<(String, String)>> = Vec::new();
    for text in texts {
        let table: toml::Table =
            text.parse().map_err(|e: toml::de::Error| Error::NotToml { reason: e.message().to_string() })?;
        let mut out = Vec::new();
        flatten("", &toml::Value::Table(table), 0, &mut out);
        flat.push(out);
    }
    let maps: Vec<BTreeMap<&str, &str>> =
        flat.iter().map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()).collect();
    let mut keys: Vec<&str> = Vec::new();
    for f in &flat {
        for (k, _) in f {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let values: Vec<Option<&str>> = maps.iter().map(|m| m.get(k).copied()).collect();
            values
                .iter()
                .any(|v| *v != values[0])
                .then(|| (k.to_string(), values.into_iter().map(|v| v.map(str::to_string)).collect()))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_listed_by_key_path() {
        let a = "[scenario]\nname = \"A\"\nmonths = 12\n[[roles]]\nid = \"ae\"\nheadcount = 3\n\
                 hires = { \"2027-03\" = 1 }\n[demand]\nleads_per_month = { low = 300, high = 500 }\n";
        let b = "[scenario]\nname = \"A\"\nmonths = 12\n[[roles]]\nid = \"ae\"\nheadcount = 4\n\
                 hires = { \"2027-03\" = 1 }\n[demand]\nleads_per_month = { low = 300, high = 600 }\nextra = 1\n";
        let d = input_differences(&[a, b]).unwrap();
        let keys: Vec<&str> = d.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["roles.ae.headcount", "demand.leads_per_month", "demand.extra"]);
        assert_eq!(d[0].1, [Some("3".to_string()), Some("4".to_string())]);
        assert_eq!(d[1].1[1].as_deref(), Some("{ low = 300, high = 600 }"));
        assert_eq!(d[2].1, [None, Some("1".to_string())]);
        assert!(input_differences(&[a, a]).unwrap().is_empty());
    }
}
