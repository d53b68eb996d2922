//! What a chart shows, as plain data: bands, lines, bars, bins, reference lines and
//! the words around them. Built from the results by `build`, drawn by `draw`; neither
//! the model nor plotters appears here.

use crate::format::{money, percent, visible};

/// A colour, red green blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// How a number is written: on a chart's axis, in the summary's table, in a
/// workbook's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Dollars: `$850K`, `$1.2M`.
    Money,
    /// People, opportunities: `12`, `1,250`. An axis of counts ticks whole numbers.
    Count,
    /// A number that counts nothing (a key's value, a coefficient): `0.4`, `12.5`,
    /// written as a count is, its axis ticked wherever the numbers fall.
    Number,
    /// A share: `73%`.
    Percent,
    /// A rate as a scenario writes it, in percent with the figures it needs: `0.9%`,
    /// `15%` ([`crate::format::rate`]).
    Rate,
}

impl Notation {
    /// `v` written so: an axis label, a table's cell.
    pub fn format(self, v: f64) -> String {
        match self {
            Notation::Money => money(v),
            Notation::Percent => percent(v),
            Notation::Count | Notation::Number => crate::format::count(v),
            Notation::Rate => crate::format::rate(v),
        }
    }
}

/// Longest title that fits a chart's width at the smallest title size (about 13 pixels
/// a character of bold DejaVu Sans at 24 px, 1,128 pixels).
pub const TITLE_CHARS: usize = 86;

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
    /// How the numbers of the value axis are written.
    pub notation: Notation,
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

impl Monthly {
    /// A plot of `months` (tick labels at `ticks`) in `notation`, with nothing drawn yet.
    pub fn new(months: Vec<String>, ticks: Vec<usize>, notation: Notation, y_label: impl Into<String>) -> Monthly {
        Monthly {
            months,
            ticks,
            notation,
            y_label: y_label.into(),
            bands: Vec::new(),
            bars: Vec::new(),
            lines: Vec::new(),
            levels: Vec::new(),
            mark: None,
            y_max: None,
        }
    }
}

/// Bars by category (e.g. one per role).
#[derive(Debug, Clone, PartialEq)]
pub struct Categories {
    /// Category names, in order.
    pub names: Vec<String>,
    /// How the numbers of the value axis are written.
    pub notation: Notation,
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
    /// How the numbers of the horizontal axis are written.
    pub x_notation: Notation,
    /// Name of the horizontal axis.
    pub x_label: String,
    /// How the numbers of the vertical axis are written; `None` hides them (a density in
    /// arbitrary units).
    pub y_notation: Option<Notation>,
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
    /// How the numbers of the horizontal axis are written.
    pub x_notation: Notation,
    /// The horizontal axis counts whole things (hires): ticks at whole numbers only.
    pub x_whole: bool,
    /// Name of the horizontal axis.
    pub x_label: String,
    /// How the numbers of the value axis are written.
    pub y_notation: Notation,
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
    /// How the numbers of the outcome axis are written.
    pub notation: Notation,
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

impl Chart {
    /// The chart with every word of it (title, labels, legends, ticks of categories)
    /// passed through [`visible`]: a name's control or bidirectional characters are
    /// drawn as escapes such as `\u{1b}`, and measured as such when text is fitted, so
    /// the SVG is well-formed XML and reads the same as the page and the terminal.
    pub fn visible(&self) -> Chart {
        let mut chart = self.clone();
        chart.each_text(&mut |s| {
            if let std::borrow::Cow::Owned(shown) = visible(s) {
                *s = shown;
            }
        });
        chart
    }

    /// Calls `f` on every text of the chart.
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let all = |v: &mut Vec<String>, f: &mut dyn FnMut(&mut String)| v.iter_mut().for_each(&mut *f);
        f(&mut self.title);
        f(&mut self.subtitle);
        f(&mut self.source);
        match &mut self.plot {
            Plot::Monthly(m) => {
                all(&mut m.months, f);
                f(&mut m.y_label);
                m.bands.iter_mut().for_each(|b| f(&mut b.label));
                m.bars.iter_mut().for_each(|b| f(&mut b.label));
                m.lines.iter_mut().for_each(|l| f(&mut l.label));
                m.levels.iter_mut().for_each(|l| f(&mut l.label));
                if let Some((_, label)) = &mut m.mark {
                    f(label);
                }
            }
            Plot::Categories(c) => {
                all(&mut c.names, f);
                f(&mut c.y_label);
                f(&mut c.bars.label);
                all(&mut c.value_labels, f);
            }
            Plot::Distribution(d) => {
                f(&mut d.x_label);
                f(&mut d.y_label);
                d.bin_labels.iter_mut().for_each(|(_, _, label)| f(label));
                if let Some(level) = &mut d.threshold {
                    f(&mut level.label);
                }
                if let Some(callout) = &mut d.callout {
                    f(callout);
                }
                if let Some((below, above)) = &mut d.legend {
                    f(below);
                    f(above);
                }
            }
            Plot::Xy(xy) => {
                f(&mut xy.x_label);
                f(&mut xy.y_label);
                xy.bands.iter_mut().for_each(|b| f(&mut b.label));
                xy.lines.iter_mut().for_each(|l| f(&mut l.label));
                xy.levels.iter_mut().for_each(|l| f(&mut l.label));
                if let Some((_, label)) = &mut xy.mark {
                    f(label);
                }
            }
            Plot::Heatmap(h) => {
                f(&mut h.x_label);
                all(&mut h.columns, f);
                f(&mut h.y_label);
                all(&mut h.rows, f);
                f(&mut h.value_label);
            }
            Plot::Tornado(t) => {
                all(&mut t.labels, f);
                all(&mut t.low_values, f);
                all(&mut t.high_values, f);
                f(&mut t.base_label);
                f(&mut t.x_label);
                f(&mut t.low_key.0);
                f(&mut t.high_key.0);
            }
        }
    }
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
    /// How the values are written.
    pub notation: Notation,
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
    fn every_word_of_a_chart_is_made_visible() {
        let raw = "a\u{1b}b\u{202e}";
        let line =
            |label: &str| Line { label: label.into(), color: Rgb(0, 0, 0), stroke: Stroke::Solid, values: vec![] };
        let level = |label: &str| Level { value: 1.0, label: label.into(), color: Rgb(0, 0, 0) };
        let bars = |label: &str| Bars { label: label.into(), color: Rgb(0, 0, 0), values: vec![], whiskers: None };
        let band =
            |label: &str| Band { label: label.into(), color: Rgb(0, 0, 0), opacity: 1.0, low: vec![], high: vec![] };
        let plots = [
            Plot::Monthly(Monthly {
                months: vec![raw.into()],
                ticks: vec![0],
                notation: Notation::Count,
                y_label: raw.into(),
                bands: vec![band(raw)],
                bars: vec![bars(raw)],
                lines: vec![line(raw)],
                levels: vec![level(raw)],
                mark: Some((0, raw.into())),
                y_max: None,
            }),
            Plot::Categories(Categories {
                names: vec![raw.into()],
                notation: Notation::Count,
                y_label: raw.into(),
                bars: bars(raw),
                value_labels: vec![raw.into()],
            }),
            Plot::Distribution(Distribution {
                x_notation: Notation::Money,
                x_label: raw.into(),
                y_notation: None,
                y_label: raw.into(),
                bins: vec![],
                bin_labels: vec![(0.0, 0.0, raw.into())],
                threshold: Some(level(raw)),
                callout: Some(raw.into()),
                legend: Some((raw.into(), raw.into())),
            }),
            Plot::Xy(Xy {
                x_notation: Notation::Count,
                x_whole: true,
                x_label: raw.into(),
                y_notation: Notation::Percent,
                y_label: raw.into(),
                x: vec![],
                bands: vec![band(raw)],
                lines: vec![line(raw)],
                levels: vec![level(raw)],
                mark: Some((0.0, raw.into())),
                y_max: None,
            }),
            Plot::Heatmap(Heatmap {
                x_label: raw.into(),
                columns: vec![raw.into()],
                y_label: raw.into(),
                rows: vec![raw.into()],
                notation: Notation::Percent,
                value_label: raw.into(),
                values: vec![],
                color: Rgb(0, 0, 0),
            }),
            Plot::Tornado(Tornado {
                labels: vec![raw.into()],
                low: vec![],
                high: vec![],
                low_values: vec![raw.into()],
                high_values: vec![raw.into()],
                base: 0.0,
                base_label: raw.into(),
                notation: Notation::Money,
                x_label: raw.into(),
                low_key: (raw.into(), Rgb(0, 0, 0)),
                high_key: (raw.into(), Rgb(0, 0, 0)),
            }),
        ];
        for plot in plots {
            let chart = Chart { name: "c", title: raw.into(), subtitle: raw.into(), source: raw.into(), plot };
            let shown = format!("{:?}", chart.visible());
            // Debug writes a raw ESC as `\u{1b}` and the escape `\u{1b}` as `\\u{1b}`.
            assert!(!shown.replace("\\\\u{1b}", "").contains("\\u{1b}"), "{shown}");
            assert!(!shown.replace("\\\\u{202e}", "").contains("\\u{202e}"), "{shown}");
            assert!(!shown.contains('\u{202e}'), "{shown}");
        }
    }
}
