//! The `--vary` grammar of `sopsim sweep`: `KEY=V1,V2,...` (each value read as TOML,
//! as with `--set`) or `KEY=FROM..TO step S`, the key a [`KeyPath`].

use super::Error;
pub use super::error::BadValues;
use crate::scenario::KeyPath;

/// Most values one `--vary` may take.
pub const MAX_VALUES: usize = 200;
/// A varied key and its values, each as TOML text for an override.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The key path, as `--set` takes it.
    pub key: String,
    /// The values, as written (or generated from a range).
    pub values: Vec<String>,
}

impl Vary {
    /// Parses `KEY=V1,V2,...` or `KEY=FROM..TO [step S]`.
    pub fn parse(arg: &str) -> Result<Vary, Error> {
        let bad = |values| Error::Vary { arg: arg.to_string(), values };
        let Some((key, values)) = arg.split_once('=') else {
            return Err(bad(BadValues::NoValues));
        };
        let key = key.trim();
        if KeyPath::parse(key).is_none() {
            return Err(bad(BadValues::KeyPath));
        }
        let values = parse_range(values).unwrap_or_else(|| split_list(values)).map_err(bad)?;
        if values.len() > MAX_VALUES {
            return Err(bad(BadValues::TooMany(values.len())));
        }
        Ok(Vary { key: key.to_string(), values })
    }

    /// The values as numbers, if every one is a number.
    pub(crate) fn numbers(&self) -> Option<Vec<f64>> {
        self.values.iter().map(|v| number(v)).collect()
    }
}

/// A number as TOML writes it (`1_000`, `0.15`, `-2`), if `text` is one.
pub(crate) fn number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    if t.is_empty() || t.contains(['n', 'N', 'i', 'I']) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `text` as an integer, if it is written as one.
pub(crate) fn integer(text: &str) -> Option<i64> {
    text.trim().replace('_', "").parse::<i64>().ok()
}

/// Digits after the decimal point in a number as written (no exponent).
pub(crate) fn decimals(text: &str) -> usize {
    text.trim().split_once('.').map_or(0, |(_, f)| f.chars().filter(char::is_ascii_digit).count())
}

/// `FROM..TO` or `FROM..TO step S`: `None` when `text` is not a range at all (no `..`
/// outside quotes), else its values or why it is refused. `TO` is included when it lands
/// on a step; integers stay integers (`S` defaults to 1 for them).
pub fn parse_range(text: &str) -> Option<Result<Vec<String>, BadValues>> {
    let text = text.trim();
    if text.starts_with(['"', '\'', '[', '{']) {
        return None;
    }
    let (from, rest) = text.split_once("..")?;
    Some(range_values(from.trim(), rest.trim()))
}

pub(crate) fn range_values(from: &str, rest: &str) -> Result<Vec<String>, BadValues> {
    let (to, step) = match rest.split_once("step") {
        Some((to, step)) => (to.trim(), Some(step.trim())),
        None => (rest, None),
    };
    let bad = |what: &'static str, t: &str| BadValues::NotANumber { what, text: t.to_string() };
    let a = number(from).ok_or_else(|| bad("start", from))?;
    let b = number(to).ok_or_else(|| bad("end", to))?;
    let ints = integer(from).is_some() && integer(to).is_some() && step.is_none_or(|s| integer(s).is_some());
    let s = match step {
        Some(s) => number(s).ok_or_else(|| bad("step", s))?,
        None if ints => 1.0,
        None => return Err(BadValues::NoStep),
    };
    if !(s > 0.0) {
        return Err(BadValues::StepNotPositive(step.unwrap_or("0").to_string()));
    }
    if b < a {
        return Err(BadValues::EmptyRange { from: from.to_string(), to: to.to_string() });
    }
    let span = (b - a) / s;
    // A value within a millionth of a step of the end lands on it.
    let count = (span + 1e-6).floor() + 1.0;
    if count > MAX_VALUES as f64 {
        return Err(BadValues::RangeTooLong(count));
    }
    let count = count as usize;
    if ints {
        let (a, s) = (integer(from).unwrap_or(0), step.and_then(integer).unwrap_or(1));
        return Ok((0..count as i64).map(|i| (a + i * s).to_string()).collect());
    }
    let places = decimals(from).max(step.map_or(0, decimals)).clamp(1, 12);
    Ok((0..count)
        .map(|i| {
            let v = a + i as f64 * s;
            let text = format!("{v:.places$}");
            let trimmed = text.trim_end_matches('0');
            if trimmed.ends_with('.') { format!("{trimmed}0") } else { trimmed.to_string() }
        })
        .collect())
}

/// Splits a list at the commas outside quotes, brackets and braces, so that a value may
/// be an inline table or array: `{ low = 1, high = 2 },{ low = 2, high = 3 }`.
pub fn split_list(text: &str) -> Result<Vec<String>, BadValues> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut current) = (0i32, None::<char>, String::new());
    for ch in text.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    out.push(current);
    let out: Vec<String> = out.into_iter().map(|v| v.trim().to_string()).collect();
    if out.iter().any(String::is_empty) {
        return Err(BadValues::EmptyValue);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Result<Vec<String>, BadValues> {
        parse_range(text).expect("a range")
    }

    #[test]
    fn ranges_include_the_end_when_it_lands_on_a_step() {
        assert_eq!(range("200..600 step 100").unwrap(), ["200", "300", "400", "500", "600"]);
        assert_eq!(range("200..650 step 100").unwrap(), ["200", "300", "400", "500", "600"]);
        assert_eq!(range("1..3").unwrap(), ["1", "2", "3"]);
        assert_eq!(range("5..5 step 2").unwrap(), ["5"]);
        assert_eq!(range("1_000..3_000 step 1_000").unwrap(), ["1000", "2000", "3000"]);
        assert_eq!(range("-2..2 step 2").unwrap(), ["-2", "0", "2"]);
    }

    #[test]
    fn decimal_ranges_read_as_written() {
        // 0.1 + 2 * 0.05 is 0.20000000000000004 in binary: written 0.2.
        assert_eq!(range("0.1..0.3 step 0.05").unwrap(), ["0.1", "0.15", "0.2", "0.25", "0.3"]);
        assert_eq!(range("0.15..0.25 step 0.1").unwrap(), ["0.15", "0.25"]);
        assert_eq!(range("1..2 step 0.5").unwrap(), ["1.0", "1.5", "2.0"]);
    }

    #[test]
    fn bad_ranges_are_refused() {
        use BadValues::*;
        assert_eq!(range("200..600 step 0"), Err(StepNotPositive("0".into())));
        assert_eq!(range("200..600 step -50"), Err(StepNotPositive("-50".into())));
        assert_eq!(range("600..200 step 50"), Err(EmptyRange { from: "600".into(), to: "200".into() }));
        assert_eq!(range("1..1000 step 1"), Err(RangeTooLong(1000.0)));
        assert_eq!(range("a..b"), Err(NotANumber { what: "start", text: "a".into() }));
        assert_eq!(range("0.1..0.3"), Err(NoStep));
        assert_eq!(range("1..2 step nan"), Err(NotANumber { what: "step", text: "nan".into() }));
        assert!(matches!(range("0..1e300 step 1e-300"), Err(RangeTooLong(_))));
        assert_eq!(
            range("1..1000 step 1").unwrap_err().to_string(),
            "the range has 1000 values; at most 200 per key (take a larger step)"
        );
    }

    #[test]
    fn lists_split_at_top_level_commas() {
        assert!(parse_range("300,400").is_none());
        assert_eq!(split_list("300, 400,500").unwrap(), ["300", "400", "500"]);
        assert_eq!(split_list("plan,capacity").unwrap(), ["plan", "capacity"]);
        assert_eq!(
            split_list("{ low = 1, high = 2 },{ low = 2, high = 3 }").unwrap(),
            ["{ low = 1, high = 2 }", "{ low = 2, high = 3 }"]
        );
        assert_eq!(split_list(r#""a,b",c"#).unwrap(), [r#""a,b""#, "c"]);
        assert_eq!(split_list("300,,400"), Err(BadValues::EmptyValue));
        assert!(parse_range("\"a..b\"").is_none());
    }

    #[test]
    fn a_vary_names_a_key_and_values() {
        let v = Vary::parse("demand.leads_per_month=200..400 step 100").unwrap();
        assert_eq!(
            v,
            Vary { key: "demand.leads_per_month".into(), values: vec!["200".into(), "300".into(), "400".into()] }
        );
        assert_eq!(v.numbers(), Some(vec![200.0, 300.0, 400.0]));
        assert_eq!(Vary::parse("roles.ae.policy=plan,capacity").unwrap().numbers(), None);
        let bad = |arg: &str, values| Err(Error::Vary { arg: arg.into(), values });
        assert_eq!(Vary::parse("demand.leads_per_month"), bad("demand.leads_per_month", BadValues::NoValues));
        assert_eq!(Vary::parse("=1,2"), bad("=1,2", BadValues::KeyPath));
        assert_eq!(Vary::parse("a..b=1,2"), bad("a..b=1,2", BadValues::KeyPath));
    }
}
