//! Drawing a [`Tornado`]: one horizontal bar per input from the base value to the
//! outcome at the input's low end and to the outcome at its high end, the two ends in
//! their own colours, the input's name on the left and its value at each end beside
//! the bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::Error;

use super::spec::Tornado;
use super::theme::{AXIS, BASE, GRID, INK, MUTED, rgb, text};

/// Half the height of a bar, in rows.
const HALF: f64 = 0.34;

/// Draws `t` on `area`: inputs top to bottom in their order.
pub fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, t: &Tornado) -> Result<(), Error> {
    let n = t.labels.len().min(t.low.len()).min(t.high.len());
    let finite = t.low.iter().chain(&t.high).chain(std::iter::once(&t.base)).copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        let d = lo.abs().max(1.0) * 0.05;
        (lo - d, hi + d)
    };
    // Room for the values written beyond the ends of the bars.
    let pad = (hi - lo) * 0.16;
    let (x0, x1) = (lo - pad, hi + pad);

    let name_style = text(19.0, INK).pos(Pos::new(HPos::Right, VPos::Center));
    let mut names_width = 0;
    for label in t.labels.iter().take(n) {
        let (w, _) = area.estimate_text_size(label, &name_style).map_err(Error::draw)?;
        names_width = names_width.max(w);
    }
    let (width, _) = area.dim_in_pixel();
    let names_width = (names_width + 24).clamp(80, width / 2);

    let rows = n.max(1) as f64;
    let mut cc = ChartBuilder::on(area)
        .x_label_area_size(64)
        .y_label_area_size(names_width)
        .margin_top(8)
        .margin_right(16)
        .build_cartesian_2d(x0..x1, -0.5..rows - 0.5)
        .map_err(Error::draw)?;
    let notation = t.notation;
    let x_label = move |x: &f64| notation.format(*x);
    cc.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(text(19.0, MUTED))
        .axis_desc_style(text(19.0, MUTED))
        .x_desc(t.x_label.as_str())
        .x_labels(8)
        .x_label_formatter(&x_label)
        .draw()
        .map_err(Error::draw)?;

    // Row i (the i-th input) sits at y = n - 1 - i, so the first input is on top.
    let y_of = |i: usize| (n - 1 - i) as f64;
    let (low_colour, high_colour) = (rgb(t.low_key.1).mix(0.9).filled(), rgb(t.high_key.1).mix(0.9).filled());
    for i in 0..n {
        let y = y_of(i);
        for (end, fill) in [(t.low[i], low_colour), (t.high[i], high_colour)] {
            if end.is_finite() && t.base.is_finite() && end != t.base {
                let rect = Rectangle::new([(t.base.min(end), y - HALF), (t.base.max(end), y + HALF)], fill);
                cc.draw_series(std::iter::once(rect)).map_err(Error::draw)?;
            }
        }
    }
    if t.base.is_finite() {
        let line = [(t.base, -0.5), (t.base, rows - 0.5)];
        cc.draw_series(DashedLineSeries::new(line, 8, 6, rgb(BASE).stroke_width(2))).map_err(Error::draw)?;
    }

    // Each end's value beside it: to the left of an end left of the base, to the right
    // of one right of it; both ends on one side share one label beyond the farther.
    let value_style = |h: HPos| text(17.0, INK).pos(Pos::new(h, VPos::Center));
    for i in 0..n {
        let y = y_of(i);
        let (low, high) = (t.low[i], t.high[i]);
        let word = |v: &[String]| v.get(i).cloned().unwrap_or_default();
        let ends = [(low, word(&t.low_values)), (high, word(&t.high_values))];
        let left: Vec<&(f64, String)> = ends.iter().filter(|(v, _)| v.is_finite() && *v < t.base).collect();
        let right: Vec<&(f64, String)> = ends.iter().filter(|(v, _)| v.is_finite() && *v >= t.base).collect();
        for (side, h, dx) in [(left, HPos::Right, -8), (right, HPos::Left, 8)] {
            let Some(far) =
                side.iter().map(|e| e.0).reduce(|a, b| if (a - t.base).abs() >= (b - t.base).abs() { a } else { b })
            else {
                continue;
            };
            let words: Vec<&str> = side.iter().map(|e| e.1.as_str()).collect();
            let label = Text::new(words.join(" / "), (dx, 0), value_style(h));
            cc.draw_series(std::iter::once(EmptyElement::at((far, y)) + label)).map_err(Error::draw)?;
        }
    }

    // The names on the left, level with their bars.
    let (bx, by) = area.get_base_pixel();
    for (i, label) in t.labels.iter().take(n).enumerate() {
        let (px, py) = cc.backend_coord(&(x0, y_of(i)));
        area.draw_text(label, &name_style, (px - bx - 10, py - by)).map_err(Error::draw)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::spec::{Chart, Notation, Plot};
    use super::*;

    fn chart(low: Vec<f64>, high: Vec<f64>) -> Chart {
        let n = low.len();
        Chart {
            name: "tornado",
            title: "demand.leads_per_month moves ARR by $2.1M between its P10 and P90".to_string(),
            subtitle: "Mean ARR".to_string(),
            source: "sopsim".to_string(),
            plot: Plot::Tornado(Tornado {
                labels: (0..n).map(|i| format!("input.{i}")).collect(),
                low_values: (0..n).map(|i| format!("low {i}")).collect(),
                high_values: (0..n).map(|i| format!("high {i}")).collect(),
                low,
                high,
                base: 5e6,
                base_label: "base".to_string(),
                notation: Notation::Money,
                x_label: "ARR".to_string(),
                low_key: ("at P10".to_string(), crate::report::charts::theme::PALETTE[1]),
                high_key: ("at P90".to_string(), crate::report::charts::theme::PALETTE[0]),
            }),
        }
    }

    #[test]
    fn draws_bars_names_and_values_on_both_sides() {
        let c = chart(vec![4e6, 5.5e6, 5e6], vec![6.5e6, 4.2e6, 5e6]);
        let svg = super::super::svg(&c).unwrap();
        assert!(svg.starts_with("<svg"));
        for word in ["input.0", "input.2", "low 0", "high 1"] {
            assert!(svg.contains(word), "{word} missing");
        }
        assert!(super::super::png(&c).unwrap().starts_with(b"\x89PNG"));
    }

    #[test]
    fn draws_degenerate_tornados() {
        for c in [chart(vec![], vec![]), chart(vec![5e6], vec![5e6]), chart(vec![f64::NAN], vec![6e6])] {
            assert!(super::super::svg(&c).unwrap().starts_with("<svg"));
        }
    }
}
