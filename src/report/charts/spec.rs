//! What a chart shows, as plain data: bands, lines, bars, bins, reference lines and
//! the words around them. Built from the results by `build`, drawn by `draw`; neither
//! the model nor plotters appears here.

use crate::format::{money, percent};

/// A colour, red green blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// How the numbers of an axis read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Dollars: `$850K`, `$1.2M`.
    Money,
    /// People, opportunities: `12`, `1,250`.
    Count,
    /// A share: `73%`.
    Percent,
}

impl Unit {
    /// An axis label of `v` in this unit.
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Money => money(v),
            Unit::Percent => percent(v),
            Unit::Count => count(v),
        }
    }
}

/// A count with thousands separators and at most one decimal: `1,250`, `2.5`.
pub fn count(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let rounded = (v * 10.0).round() / 10.0;
    let whole = rounded.trunc().abs() as u64;
    let mut digits = whole.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let tenth = ((rounded.abs() - whole as f64) * 10.0).round() as u64;
    if tenth == 0 { format!("{sign}{digits}{grouped}") } else { format!("{sign}{digits}{grouped}.{tenth}") }
}

/// A number of people or opportunities, to the nearest whole one: `19.1` -> `19`.
pub fn whole(v: f64) -> String {
    count(v.round())
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    /// Continuous.
    Solid,
    /// Dashes.
    Dashed,
}

/// A shaded range between two series (e.g. P10 to P90); `NaN` leaves a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Legend text (empty: not in the legend).
    pub label: String,
    /// Fill colour.
    pub color: Rgb,
    /// Opacity of the fill, 0 to 1.
    pub opacity: f64,
    /// Lower edge by position.
    pub low: Vec<f64>,
    /// Upper edge by position.
    pub high: Vec<f64>,
}

/// A line through one value per position; `NaN` leaves a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend text (empty: not in the legend).
    pub label: String,
    /// Colour.
    pub color: Rgb,
    /// Solid or dashed.
    pub stroke: Stroke,
    /// Value by position.
    pub values: Vec<f64>,
}

/// One bar per position, with optional whiskers (e.g. P10 to P90).
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// Legend text (empty: not in the legend).
    pub label: String,
    /// Fill colour.
    pub color: Rgb,
    /// Bar height by position.
    pub values: Vec<f64>,
    /// Whiskers: low and high ends by position.
    pub whiskers: Option<(Vec<f64>, Vec<f64>)>,
}

/// A reference value drawn across the plot as a dashed line, with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The value.
    pub value: f64,
    /// What it is, written beside the line.
    pub label: String,
    /// Colour.
    pub color: Rgb,
}

/// A chart over the months of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Monthly {
    /// Label of each month: `Jan 2027`.
    pub months: Vec<String>,
    /// Months that get a tick label (calendar-aligned).
    pub ticks: Vec<usize>,
    /// Unit of the value axis.
    pub unit: Unit,
    /// Name of the value axis (empty: none).
    pub y_label: String,
    /// Shaded ranges, drawn first.
    pub bands: Vec<Band>,
    /// Bars, drawn over the bands.
    pub bars: Vec<Bars>,
    /// Lines, drawn last.
    pub lines: Vec<Line>,
    /// Horizontal reference lines (a target, 100%).
    pub levels: Vec<Level>,
    /// A month marked by a vertical line, with its label.
    pub mark: Option<(usize, String)>,
    /// Fixed top of the value axis; else it follows the data.
    pub y_max: Option<f64>,
}

/// Bars by category (e.g. one per role).
#[derive(Debug, Clone, PartialEq)]
pub struct Categories {
    /// Category names, in order.
    pub names: Vec<String>,
    /// Unit of the value axis.
    pub unit: Unit,
    /// Name of the value axis (empty: none).
    pub y_label: String,
    /// The bars, one per category.
    pub bars: Bars,
    /// Text written above each bar.
    pub value_labels: Vec<String>,
}

/// One bin of a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// Lower edge.
    pub from: f64,
    /// Upper edge.
    pub to: f64,
    /// Height (a share, or a density).
    pub height: f64,
    /// At or above the threshold: drawn in the "hit" colour.
    pub hit: bool,
}

/// A distribution drawn as bins, with a threshold and a callout.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// Unit of the horizontal axis.
    pub x_unit: Unit,
    /// Name of the horizontal axis.
    pub x_label: String,
    /// Unit of the vertical axis; `None` hides it (a density in arbitrary units).
    pub y_unit: Option<Unit>,
    /// Name of the vertical axis (empty: none).
    pub y_label: String,
    /// The bins, left to right.
    pub bins: Vec<Bin>,
    /// Text written above the bins: (centre, height, text).
    pub bin_labels: Vec<(f64, f64, String)>,
    /// The threshold (target, quota) as a vertical line.
    pub threshold: Option<Level>,
    /// A sentence written large on the plot, e.g. `P(hit) = 73%`.
    pub callout: Option<String>,
    /// Legend texts of the bins below and at or above the threshold.
    pub legend: Option<(String, String)>,
}

/// Lines (and bands) over a numeric horizontal axis: a value against a parameter, such
/// as P(hit) against the number of hires or against lead volume.
#[derive(Debug, Clone, PartialEq)]
pub struct Xy {
    /// Unit of the horizontal axis.
    pub x_unit: Unit,
    /// Name of the horizontal axis.
    pub x_label: String,
    /// Unit of the value axis.
    pub y_unit: Unit,
    /// Name of the value axis (empty: none).
    pub y_label: String,
    /// The horizontal positions that the bands' and lines' values belong to, ascending.
    pub x: Vec<f64>,
    /// Shaded ranges, drawn first.
    pub bands: Vec<Band>,
    /// Lines, drawn with a dot at each position.
    pub lines: Vec<Line>,
    /// Horizontal reference lines (a confidence level, a target).
    pub levels: Vec<Level>,
    /// A position marked by a vertical line, with its label.
    pub mark: Option<(f64, String)>,
    /// Fixed top of the value axis; else it follows the data.
    pub y_max: Option<f64>,
}

/// A tornado: for each input, the outcome with the input at its low end and at its high
/// end, as horizontal bars from a base value; inputs top to bottom in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// Input names, top first.
    pub labels: Vec<String>,
    /// The outcome with each input at its low end.
    pub low: Vec<f64>,
    /// The outcome with each input at its high end.
    pub high: Vec<f64>,
    /// Each input's value at its low end, written beside that end of its bar.
    pub low_values: Vec<String>,
    /// Each input's value at its high end.
    pub high_values: Vec<String>,
    /// The outcome with every input uncertain: where the bars start.
    pub base: f64,
    /// Legend text of the base line.
    pub base_label: String,
    /// Unit of the outcome axis.
    pub unit: Unit,
    /// Name of the outcome axis.
    pub x_label: String,
    /// Legend text and colour of the low ends.
    pub low_key: (String, Rgb),
    /// Legend text and colour of the high ends.
    pub high_key: (String, Rgb),
}

/// The plot of a chart.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Over the months.
    Monthly(Monthly),
    /// By category.
    Categories(Categories),
    /// A distribution.
    Distribution(Distribution),
    /// Values against a numeric parameter.
    Xy(Xy),
    /// A grid of values over two parameters.
    Heatmap(Heatmap),
    /// Horizontal bars around a base value, one per input.
    Tornado(Tornado),
}

/// A chart: its file name, its words and its plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem: the chart is written as `<name>.svg` and `<name>.png`.
    pub name: &'static str,
    /// The headline, a sentence a slide could carry as is.
    pub title: String,
    /// What is drawn, in one line.
    pub subtitle: String,
    /// Where the numbers come from (program, scenario, trials, seed).
    pub source: String,
    /// The plot.
    pub plot: Plot,
}

/// A grid of values over two parameters, each cell coloured on a sequential scale (light
/// for the lowest value, `color` for the highest) with its value written in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Name of the horizontal axis.
    pub x_label: String,
    /// Label of each column, left to right.
    pub columns: Vec<String>,
    /// Name of the vertical axis.
    pub y_label: String,
    /// Label of each row, bottom to top.
    pub rows: Vec<String>,
    /// Unit of the values.
    pub unit: Unit,
    /// What the colour shows, for the legend (e.g. `P(hit)`).
    pub value_label: String,
    /// Value of each cell, row-major from the bottom row: `values[row * columns + column]`;
    /// `NaN` is drawn grey.
    pub values: Vec<f64>,
    /// Colour of the highest value.
    pub color: Rgb,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_separators_and_one_decimal_at_most() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(12.0), "12");
        assert_eq!(count(2.5), "2.5");
        assert_eq!(count(1250.0), "1,250");
        assert_eq!(count(1_234_567.04), "1,234,567");
        assert_eq!(count(-3.25), "-3.3");
        assert_eq!(count(f64::NAN), "n/a");
        assert_eq!(whole(19.1), "19");
        assert_eq!(whole(2.5), "3");
    }
}
