//! Drawing a [`Chart`] on any plotters backend: the header (title, subtitle, legend),
//! the plot, and the source line. Text is measured with the bundled font (plotters
//! writes an SVG `font-size` of a style's size / 1.24); nothing here reads the results
//! or knows the model.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::Error;

use super::spec::{Band, Bars, Categories, Chart, Distribution, Monthly, Notation, Plot, Rgb, Stroke, Xy};
use super::theme::{AXIS, BASE, GRID, INK, MUTED, rgb, text};

/// Height of the header (title, subtitle, legend) in pixels.
const HEADER: u32 = 128;
/// Height of the source line at the bottom.
const FOOTER: u32 = 34;
/// Left and right margins of the header and footer.
const SIDE: i32 = 36;

type Area<DB> = DrawingArea<DB, Shift>;

fn bold(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(FontFamily::SansSerif, size, FontStyle::Bold).color(&color)
}

fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Draws `chart` on `root` and presents it.
pub fn draw<DB: DrawingBackend>(chart: &Chart, root: &Area<DB>) -> Result<(), Error> {
    root.fill(&WHITE).map_err(Error::draw)?;
    let (width, height) = root.dim_in_pixel();
    let room = width as i32 - 2 * SIDE;
    let (title, style) = fitted(root, &chart.title, 35.0, 24.0, room, true)?;
    root.draw_text(&title, &style, (SIDE, 22)).map_err(Error::draw)?;
    let (subtitle, style) = fitted(root, &chart.subtitle, 22.0, 16.0, room, false)?;
    root.draw_text(&subtitle, &style, (SIDE, 64)).map_err(Error::draw)?;
    legend(root, &legend_items(&chart.plot), (SIDE, 104), width as i32 - SIDE)?;
    let (source, style) = fitted(root, &chart.source, 15.0, 15.0, room, false)?;
    let style = anchored(style, HPos::Left, VPos::Bottom);
    root.draw_text(&source, &style, (SIDE, height as i32 - 10)).map_err(Error::draw)?;

    let plot = root.margin(HEADER, FOOTER, 16, 30);
    match &chart.plot {
        Plot::Monthly(m) => monthly(&plot, m)?,
        Plot::Categories(c) => categories(&plot, c)?,
        Plot::Distribution(d) => distribution(&plot, d)?,
        Plot::Xy(xy) => xy_plot(&plot, xy)?,
        Plot::Heatmap(h) => super::heatmap::draw(&plot, h)?,
        Plot::Tornado(t) => super::tornado::draw(&plot, t)?,
    }
    root.present().map_err(Error::draw)
}

/// The text and a style that fit in `room` pixels: the largest size from `size` down
/// to `min`, and at `min` the text cut short with an ellipsis if it is still too long.
fn fitted<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    size: f64,
    min: f64,
    room: i32,
    strong: bool,
) -> Result<(String, TextStyle<'static>), Error> {
    let mut size = size;
    loop {
        let style = if strong { bold(size, INK) } else { text(size, MUTED) };
        if width(root, s, &style)? <= room {
            return Ok((s.to_string(), style));
        }
        if size <= min {
            return Ok((shortened(root, s, &style, room)?, style));
        }
        size -= 1.0;
    }
}

fn width<DB: DrawingBackend>(root: &Area<DB>, s: &str, style: &TextStyle) -> Result<i32, Error> {
    root.estimate_text_size(s, style).map(|(w, _)| w as i32).map_err(Error::draw)
}

/// `s` cut at a character boundary so that it and an ellipsis fit in `room` pixels.
fn shortened<DB: DrawingBackend>(root: &Area<DB>, s: &str, style: &TextStyle, room: i32) -> Result<String, Error> {
    let mut cut: Vec<char> = s.chars().collect();
    while !cut.is_empty() {
        cut.pop();
        let candidate = format!("{}…", cut.iter().collect::<String>().trim_end());
        if width(root, &candidate, style)? <= room {
            return Ok(candidate);
        }
    }
    Ok("…".to_string())
}

/// One entry of a legend.
enum Key {
    /// A filled square.
    Swatch(Rgb, f64),
    /// A line, solid or dashed.
    Stroke(Rgb, Stroke),
    /// A vertical whisker.
    Whisker(Rgb),
}

fn legend_items(plot: &Plot) -> Vec<(Key, String)> {
    let mut items = Vec::new();
    match plot {
        Plot::Monthly(m) => {
            let mut whisker = None;
            for b in m.bands.iter().filter(|b| !b.label.is_empty()) {
                items.push((Key::Swatch(b.color, b.opacity), b.label.clone()));
            }
            for b in m.bars.iter().filter(|b| !b.label.is_empty()) {
                items.push((Key::Swatch(b.color, 0.85), b.label.clone()));
                if b.whiskers.is_some() {
                    whisker = Some(b.color);
                }
            }
            if let Some(c) = whisker {
                items.push((Key::Whisker(c), "P10–P90".to_string()));
            }
            for l in m.lines.iter().filter(|l| !l.label.is_empty()) {
                items.push((Key::Stroke(l.color, l.stroke), l.label.clone()));
            }
        }
        Plot::Categories(c) => {
            items.push((Key::Swatch(c.bars.color, 0.85), c.bars.label.clone()));
            if c.bars.whiskers.is_some() {
                // Whiskers on shares (P(hit)) are ±2 standard errors; on amounts, P10–P90.
                let what = if c.notation == Notation::Percent { "±2 SE" } else { "P10–P90" };
                items.push((Key::Whisker(c.bars.color), what.to_string()));
            }
        }
        Plot::Xy(xy) => {
            for b in xy.bands.iter().filter(|b| !b.label.is_empty()) {
                items.push((Key::Swatch(b.color, b.opacity), b.label.clone()));
            }
            for l in xy.lines.iter().filter(|l| !l.label.is_empty()) {
                items.push((Key::Stroke(l.color, l.stroke), l.label.clone()));
            }
        }
        Plot::Heatmap(h) => items.extend(super::heatmap::legend(h).into_iter().map(|(c, l)| (Key::Swatch(c, 1.0), l))),
        Plot::Tornado(t) => {
            items.push((Key::Swatch(t.low_key.1, 0.9), t.low_key.0.clone()));
            items.push((Key::Swatch(t.high_key.1, 0.9), t.high_key.0.clone()));
            items.push((Key::Stroke(BASE, Stroke::Dashed), t.base_label.clone()));
        }
        Plot::Distribution(d) => {
            if let Some((below, above)) = &d.legend {
                items.push((Key::Swatch(super::build::SLATE, 0.85), below.clone()));
                items.push((Key::Swatch(super::build::GREEN, 0.85), above.clone()));
            }
        }
    }
    items
}

/// The legend in one row from `at`; entries that would pass `right` are left out and
/// an ellipsis says so.
fn legend<DB: DrawingBackend>(
    root: &Area<DB>,
    items: &[(Key, String)],
    at: (i32, i32),
    right: i32,
) -> Result<(), Error> {
    let style = anchored(text(19.0, INK), HPos::Left, VPos::Center);
    let (mut x, y) = at;
    for (key, label) in items {
        let w = width(root, label, &style)?;
        if x + 32 + w > right {
            root.draw_text("…", &style, (x, y)).map_err(Error::draw)?;
            break;
        }
        match key {
            Key::Swatch(c, opacity) => {
                let fill = rgb(*c).mix(*opacity).filled();
                root.draw(&Rectangle::new([(x, y - 8), (x + 24, y + 8)], fill)).map_err(Error::draw)?;
            }
            Key::Stroke(c, Stroke::Solid) => {
                root.draw(&PathElement::new(vec![(x, y), (x + 24, y)], rgb(*c).stroke_width(3)))
                    .map_err(Error::draw)?;
            }
            Key::Stroke(c, Stroke::Dashed) => {
                for dash in [(x, x + 9), (x + 15, x + 24)] {
                    root.draw(&PathElement::new(vec![(dash.0, y), (dash.1, y)], rgb(*c).stroke_width(3)))
                        .map_err(Error::draw)?;
                }
            }
            Key::Whisker(c) => {
                let s = rgb(*c).stroke_width(2);
                root.draw(&PathElement::new(vec![(x + 12, y - 9), (x + 12, y + 9)], s)).map_err(Error::draw)?;
                root.draw(&PathElement::new(vec![(x + 7, y - 9), (x + 17, y - 9)], s)).map_err(Error::draw)?;
                root.draw(&PathElement::new(vec![(x + 7, y + 9), (x + 17, y + 9)], s)).map_err(Error::draw)?;
            }
        }
        root.draw_text(label, &style, (x + 32, y)).map_err(Error::draw)?;
        x += 32 + w + 28;
    }
    Ok(())
}

/// The top of a value axis for data up to `max`: a little headroom, never zero.
fn axis_top(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 { max * 1.1 } else { 1.0 }
}

fn finite_max<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values.into_iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max)
}

/// Runs of consecutive finite values: `(position, value)` points, one `Vec` per run.
fn runs(values: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            if let Some(run) = out.last_mut() {
                run.push((i as f64, *v));
            }
        } else if out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The outline of a band over each run of positions where both edges are finite: along
/// the high edge, then back along the low one; `x` places position `i`.
fn band_polygons(b: &Band, x: impl Fn(usize) -> f64) -> Vec<Vec<(f64, f64)>> {
    let both: Vec<f64> =
        b.low.iter().zip(&b.high).map(|(l, h)| if l.is_finite() && h.is_finite() { 0.0 } else { f64::NAN }).collect();
    runs(&both)
        .into_iter()
        .map(|run| {
            let idx: Vec<usize> = run.iter().map(|(i, _)| *i as usize).collect();
            let mut points: Vec<(f64, f64)> = idx.iter().map(|&i| (x(i), b.high[i])).collect();
            points.extend(idx.iter().rev().map(|&i| (x(i), b.low[i])));
            points
        })
        .collect()
}

/// A horizontal axis of positions 0, 1, ... (months, categories) with ticks where asked.
struct Positions {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Positions {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value - self.range.start) / (self.range.end - self.range.start);
        limit.0 + (f64::from(limit.1 - limit.0) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

fn mesh_text() -> TextStyle<'static> {
    text(19.0, MUTED)
}

fn monthly<DB: DrawingBackend>(area: &Area<DB>, m: &Monthly) -> Result<(), Error> {
    let n = m.months.len();
    let data_max = finite_max(
        m.bands
            .iter()
            .flat_map(|b| &b.high)
            .chain(m.lines.iter().flat_map(|l| &l.values))
            .chain(m.bars.iter().flat_map(|b| b.values.iter().chain(b.whiskers.iter().flat_map(|w| &w.1))))
            .chain(m.levels.iter().map(|l| &l.value)),
    );
    let top = m.y_max.unwrap_or_else(|| axis_top(data_max));
    let ticks = m.ticks.iter().map(|t| *t as f64).collect();
    let mut cc = positional(area, &m.months, ticks, m.notation, &m.y_label, top, mesh_text())?;

    for b in &m.bands {
        let style = rgb(b.color).mix(b.opacity).filled();
        let shapes = band_polygons(b, |t| t as f64);
        cc.draw_series(shapes.into_iter().map(|points| Polygon::new(points, style))).map_err(Error::draw)?;
    }
    for bars in &m.bars {
        draw_bars(&mut cc, bars, 0.34)?;
    }
    for level in &m.levels {
        let style = rgb(level.color).stroke_width(2);
        let ends = [(-0.5, level.value), (n as f64 - 0.5, level.value)];
        cc.draw_series(DashedLineSeries::new(ends, 10, 7, style)).map_err(Error::draw)?;
        if !level.label.is_empty() {
            // At the left end: series usually start below a target and rise past it.
            let label = anchored(bold(19.0, rgb(level.color)), HPos::Left, VPos::Bottom);
            cc.draw_series(std::iter::once(
                EmptyElement::at((-0.5, level.value)) + Text::new(level.label.clone(), (8, -6), label),
            ))
            .map_err(Error::draw)?;
        }
    }
    if let Some((t, label)) = &m.mark {
        let at = *t as f64;
        cc.draw_series(DashedLineSeries::new([(at, 0.0), (at, top)], 6, 6, AXIS.stroke_width(2)))
            .map_err(Error::draw)?;
        let style = anchored(text(18.0, MUTED), HPos::Right, VPos::Top);
        cc.draw_series(std::iter::once(EmptyElement::at((at, top)) + Text::new(label.clone(), (-6, 6), style)))
            .map_err(Error::draw)?;
    }
    for l in &m.lines {
        let style = rgb(l.color).stroke_width(3);
        for run in runs(&l.values) {
            match l.stroke {
                Stroke::Solid => cc.draw_series(LineSeries::new(run, style)).map(|_| ()),
                Stroke::Dashed => cc.draw_series(DashedLineSeries::new(run, 10, 7, style)).map(|_| ()),
            }
            .map_err(Error::draw)?;
        }
    }
    Ok(())
}

/// A plot over positions 0, 1, ... (months or categories) named by `labels`, ticked at
/// `ticks`, with a value axis in `notation` from 0 to `top`; the mesh is drawn.
fn positional<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    labels: &[String],
    ticks: Vec<f64>,
    notation: Notation,
    y_label: &str,
    top: f64,
    x_style: TextStyle<'static>,
) -> Result<Cartesian<'a, DB, Positions>, Error> {
    let x = Positions { range: -0.5..labels.len() as f64 - 0.5, ticks };
    let mut cc = ChartBuilder::on(area)
        .x_label_area_size(44)
        .y_label_area_size(if y_label.is_empty() { 80 } else { 104 })
        .margin_top(8)
        .build_cartesian_2d(x, 0.0..top)
        .map_err(Error::draw)?;
    let label = |x: &f64| labels.get(x.round().max(0.0) as usize).cloned().unwrap_or_default();
    let value = |y: &f64| notation.format(*y);
    cc.configure_mesh()
        .disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(mesh_text())
        .x_label_style(x_style)
        .axis_desc_style(text(19.0, MUTED))
        .y_desc(y_label)
        .y_labels(tick_labels(notation, 0.0..top, Y_TICKS))
        .x_label_formatter(&label)
        .y_label_formatter(&value)
        .draw()
        .map_err(Error::draw)?;
    Ok(cc)
}

type Cartesian<'a, DB, X> = ChartContext<'a, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>;

/// Bars centred on positions 0, 1, ..., of half-width `half`, with their whiskers.
fn draw_bars<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    cc: &mut Cartesian<'_, DB, X>,
    bars: &Bars,
    half: f64,
) -> Result<(), Error> {
    let fill = rgb(bars.color).mix(0.85).filled();
    let rects = bars.values.iter().enumerate().filter(|(_, v)| v.is_finite() && **v > 0.0).map(|(i, v)| {
        let x = i as f64;
        Rectangle::new([(x - half, 0.0), (x + half, *v)], fill)
    });
    cc.draw_series(rects).map_err(Error::draw)?;
    if let Some((low, high)) = &bars.whiskers {
        let ink = rgb(BASE).stroke_width(2);
        let cap = half * 0.35;
        for (i, (lo, hi)) in low.iter().zip(high).enumerate() {
            if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
                continue;
            }
            let x = i as f64;
            let paths =
                [vec![(x, *lo), (x, *hi)], vec![(x - cap, *lo), (x + cap, *lo)], vec![(x - cap, *hi), (x + cap, *hi)]];
            cc.draw_series(paths.into_iter().map(|p| PathElement::new(p, ink))).map_err(Error::draw)?;
        }
    }
    Ok(())
}

fn categories<DB: DrawingBackend>(area: &Area<DB>, c: &Categories) -> Result<(), Error> {
    let k = c.names.len();
    let highs = c.bars.whiskers.as_ref().map(|w| &w.1);
    let data_max = finite_max(c.bars.values.iter().chain(highs.into_iter().flatten()));
    let top = axis_top(data_max) * 1.08;
    let ticks = (0..k).map(|i| i as f64).collect();
    let mut cc = positional(area, &c.names, ticks, c.notation, &c.y_label, top, text(22.0, INK))?;
    let half = if k <= 2 { 0.22 } else { 0.3 };
    draw_bars(&mut cc, &c.bars, half)?;
    let style = anchored(bold(21.0, INK), HPos::Center, VPos::Bottom);
    for (i, label) in c.value_labels.iter().enumerate() {
        let v = c.bars.values.get(i).copied().unwrap_or(f64::NAN);
        let above = highs.and_then(|h| h.get(i)).copied().filter(|h| h.is_finite()).map_or(v, |h| h.max(v));
        if above.is_finite() {
            cc.draw_series(std::iter::once(
                EmptyElement::at((i as f64, above)) + Text::new(label.clone(), (0, -8), style.clone()),
            ))
            .map_err(Error::draw)?;
        }
    }
    Ok(())
}

fn distribution<DB: DrawingBackend>(area: &Area<DB>, d: &Distribution) -> Result<(), Error> {
    let threshold = d.threshold.as_ref().map(|t| t.value);
    let lo = d.bins.iter().map(|b| b.from).chain(threshold).fold(f64::INFINITY, f64::min);
    let hi = d.bins.iter().map(|b| b.to).chain(threshold).fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi > lo { (hi - lo) * 0.06 } else { 1.0 };
    let (x0, x1) = (lo - pad, hi + pad);
    let data_max = finite_max(d.bins.iter().map(|b| &b.height));
    let top = axis_top(data_max) * 1.25;
    let mut cc = ChartBuilder::on(area)
        .x_label_area_size(64)
        .y_label_area_size(if d.y_notation.is_some() { 104 } else { 24 })
        .margin_top(8)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(Error::draw)?;
    let x_notation = d.x_notation;
    let x_label = move |x: &f64| x_notation.format(*x);
    let y_notation = d.y_notation.unwrap_or(Notation::Count);
    let y_label = move |y: &f64| y_notation.format(*y);
    let mut mesh = cc.configure_mesh();
    mesh.disable_x_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(mesh_text())
        .axis_desc_style(text(19.0, MUTED))
        .x_desc(d.x_label.as_str())
        .x_labels(tick_labels(x_notation, x0..x1, X_TICKS))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label);
    if d.y_notation.is_some() {
        mesh.y_desc(d.y_label.as_str()).y_labels(tick_labels(y_notation, 0.0..top, Y_TICKS));
    } else {
        mesh.disable_y_mesh().disable_y_axis();
    }
    mesh.draw().map_err(Error::draw)?;

    let colour = |hit: bool| if hit || threshold.is_none() { super::build::GREEN } else { super::build::SLATE };
    let rects = d.bins.iter().filter(|b| b.to > b.from && b.height.is_finite()).map(|b| {
        let fill = rgb(colour(b.hit)).mix(0.85).filled();
        Rectangle::new([(b.from, 0.0), (b.to, b.height)], fill)
    });
    cc.draw_series(rects).map_err(Error::draw)?;
    let edge = RGBColor(255, 255, 255).stroke_width(1);
    let edges = d.bins.iter().map(|b| Rectangle::new([(b.from, 0.0), (b.to, b.height)], edge));
    cc.draw_series(edges).map_err(Error::draw)?;
    let label_style = anchored(bold(20.0, INK), HPos::Center, VPos::Bottom);
    for (x, h, label) in &d.bin_labels {
        cc.draw_series(std::iter::once(
            EmptyElement::at((*x, *h)) + Text::new(label.clone(), (0, -6), label_style.clone()),
        ))
        .map_err(Error::draw)?;
    }

    // The threshold and the callout beside it, on the side with more room.
    let at = threshold.unwrap_or(x0);
    let right_side = (at - x0) / (x1 - x0) < 0.6;
    let (h, dx) = if right_side { (HPos::Left, 10) } else { (HPos::Right, -10) };
    if let Some(t) = &d.threshold {
        let style = rgb(t.color).stroke_width(3);
        cc.draw_series(DashedLineSeries::new([(t.value, 0.0), (t.value, top)], 10, 7, style)).map_err(Error::draw)?;
        let label = anchored(bold(20.0, rgb(t.color)), h, VPos::Top);
        cc.draw_series(std::iter::once(EmptyElement::at((t.value, top)) + Text::new(t.label.clone(), (dx, 58), label)))
            .map_err(Error::draw)?;
    }
    if let Some(callout) = &d.callout {
        let style = anchored(bold(37.0, rgb(super::build::GREEN)), h, VPos::Top);
        cc.draw_series(std::iter::once(EmptyElement::at((at, top)) + Text::new(callout.clone(), (dx, 10), style)))
            .map_err(Error::draw)?;
    }
    Ok(())
}

/// `(x, value)` runs of consecutive finite values over the positions `x`.
fn xy_runs(x: &[f64], values: &[f64]) -> Vec<Vec<(f64, f64)>> {
    runs(values).into_iter().map(|run| run.into_iter().map(|(i, v)| (x[i as usize], v)).collect()).collect()
}

fn xy_plot<DB: DrawingBackend>(area: &Area<DB>, xy: &Xy) -> Result<(), Error> {
    let lo = xy.x.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = finite_max(&xy.x);
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (0.0, 1.0)
    };
    let pad = (hi - lo) * 0.04;
    let (x0, x1) = (lo - pad, hi + pad);
    let data_max = finite_max(
        xy.bands
            .iter()
            .flat_map(|b| &b.high)
            .chain(xy.lines.iter().flat_map(|l| &l.values))
            .chain(xy.levels.iter().map(|l| &l.value)),
    );
    let top = xy.y_max.unwrap_or_else(|| axis_top(data_max));
    let mut builder = ChartBuilder::on(area);
    builder.x_label_area_size(64).y_label_area_size(if xy.y_label.is_empty() { 80 } else { 104 }).margin_top(8);
    if xy.x_whole {
        let x = Positions { range: x0..x1, ticks: whole_ticks(x0..x1, X_TICKS) };
        xy_draw(builder.build_cartesian_2d(x, 0.0..top).map_err(Error::draw)?, xy, x0..x1, top)
    } else {
        xy_draw(builder.build_cartesian_2d(x0..x1, 0.0..top).map_err(Error::draw)?, xy, x0..x1, top)
    }
}

/// Tick labels on a horizontal axis of numbers, at most.
const X_TICKS: usize = 9;

/// Tick labels on a vertical axis, at most.
const Y_TICKS: usize = 7;

/// How many tick labels to ask of an axis of numbers in `notation` over `range`: `most`,
/// and for a count no more than the whole numbers in the range. Plotters ticks every 1, 2
/// or 5 times a power of ten, the finest step that gives no more labels than asked; a
/// step below 1 would give more labels than there are whole numbers, so a count's ticks
/// fall on whole numbers ("1.5 people" is not a count).
fn tick_labels(notation: Notation, range: Range<f64>, most: usize) -> usize {
    if notation != Notation::Count {
        return most;
    }
    let wholes = range.end.floor() - range.start.ceil() + 1.0;
    if wholes >= most as f64 { most } else { (wholes as usize).max(1) }
}

/// Ticks at whole numbers within `range`, at most `most` of them: every 1, 2 or 5 times
/// a power of ten, the smallest such step that fits.
fn whole_ticks(range: Range<f64>, most: usize) -> Vec<f64> {
    let mut step = 1.0_f64;
    loop {
        let first = (range.start / step).ceil() * step;
        let ticks: Vec<f64> =
            (0..).map(|i| first + f64::from(i) * step).take_while(|t| *t <= range.end).take(most + 1).collect();
        if ticks.len() <= most || !step.is_finite() {
            return ticks;
        }
        let scale = 10f64.powf(step.log10().floor());
        step = match (step / scale).round() as u32 {
            1 => 2.0 * scale,
            2 => 5.0 * scale,
            _ => 10.0 * scale,
        };
    }
}

/// The plot of `xy` on its axes `cc`, over `x` horizontally and from 0 to `top`.
fn xy_draw<DB, X>(mut cc: Cartesian<'_, DB, X>, xy: &Xy, x: Range<f64>, top: f64) -> Result<(), Error>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let (x0, x1) = (x.start, x.end);
    let (x_notation, y_notation) = (xy.x_notation, xy.y_notation);
    let x_label = move |x: &f64| x_notation.format(*x);
    let y_label = move |y: &f64| y_notation.format(*y);
    cc.configure_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(mesh_text())
        .axis_desc_style(text(19.0, MUTED))
        .x_desc(xy.x_label.as_str())
        .y_desc(xy.y_label.as_str())
        .x_labels(tick_labels(x_notation, x0..x1, X_TICKS))
        .y_labels(tick_labels(y_notation, 0.0..top, Y_TICKS))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()
        .map_err(Error::draw)?;
    for b in &xy.bands {
        let style = rgb(b.color).mix(b.opacity).filled();
        let shapes = band_polygons(b, |i| xy.x[i]);
        cc.draw_series(shapes.into_iter().map(|points| Polygon::new(points, style))).map_err(Error::draw)?;
    }
    for level in &xy.levels {
        let style = rgb(level.color).stroke_width(2);
        cc.draw_series(DashedLineSeries::new([(x0, level.value), (x1, level.value)], 10, 7, style))
            .map_err(Error::draw)?;
        if !level.label.is_empty() {
            let label = anchored(bold(19.0, rgb(level.color)), HPos::Left, VPos::Bottom);
            cc.draw_series(std::iter::once(
                EmptyElement::at((x0, level.value)) + Text::new(level.label.clone(), (8, -6), label),
            ))
            .map_err(Error::draw)?;
        }
    }
    if let Some((at, label)) = &xy.mark {
        cc.draw_series(DashedLineSeries::new([(*at, 0.0), (*at, top)], 6, 6, AXIS.stroke_width(2)))
            .map_err(Error::draw)?;
        // Beside the line on the side with more room: a mark near the right end is
        // labelled on its left.
        let (h, dx) = if (at - x0) / (x1 - x0) < 0.6 { (HPos::Left, 6) } else { (HPos::Right, -6) };
        let style = anchored(text(18.0, MUTED), h, VPos::Top);
        cc.draw_series(std::iter::once(EmptyElement::at((*at, top)) + Text::new(label.clone(), (dx, 6), style)))
            .map_err(Error::draw)?;
    }
    for l in &xy.lines {
        let style = rgb(l.color).stroke_width(3);
        for run in xy_runs(&xy.x, &l.values) {
            match l.stroke {
                Stroke::Solid => cc.draw_series(LineSeries::new(run.clone(), style)).map(|_| ()),
                Stroke::Dashed => cc.draw_series(DashedLineSeries::new(run.clone(), 10, 7, style)).map(|_| ()),
            }
            .map_err(Error::draw)?;
            let dot = rgb(l.color).filled();
            cc.draw_series(run.iter().map(|p| Circle::new(*p, 5, dot))).map_err(Error::draw)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::types::RangedCoordf64;

    /// The ticks plotters draws on an axis over `range` asked for `n` labels.
    fn ticks_of(range: Range<f64>, n: usize) -> Vec<f64> {
        RangedCoordf64::from(range).key_points(n)
    }

    #[test]
    fn a_count_axis_ticks_whole_numbers_only() {
        // A headcount of 1 to 3 people drawn up to 3.3: seven labels would step by a half.
        assert!(ticks_of(0.0..3.3, Y_TICKS).contains(&0.5), "the case the limit is for");
        assert_eq!(ticks_of(0.0..3.3, tick_labels(Notation::Count, 0.0..3.3, Y_TICKS)), vec![0.0, 1.0, 2.0, 3.0]);
        for top in [0.4, 1.0, 1.2, 2.5, 3.3, 4.6, 5.9, 6.0, 6.9, 7.0, 8.7, 12.5, 33.0, 130.0, 2_150.0] {
            for range in [0.0..top, -0.3..top, 0.7..top + 0.9] {
                let n = tick_labels(Notation::Count, range.clone(), Y_TICKS);
                let ticks = ticks_of(range.clone(), n);
                assert!(ticks.iter().all(|t| t.fract() == 0.0), "{range:?}: {ticks:?}");
                let wholes = range.end.floor() - range.start.ceil() + 1.0;
                assert!(ticks.len() >= 2 || wholes < 2.0, "{range:?} has whole numbers to tick: {ticks:?}");
            }
        }
        // Other notations keep the labels asked for.
        assert_eq!(tick_labels(Notation::Money, 0.0..3.3, Y_TICKS), Y_TICKS);
        assert_eq!(tick_labels(Notation::Percent, 0.0..0.5, X_TICKS), X_TICKS);
    }

    #[test]
    fn whole_ticks_fall_on_whole_numbers_only() {
        // The plan chart of two hires: hires 0 to 4, padded by 4% each side.
        assert_eq!(whole_ticks(-0.16..4.16, X_TICKS), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(whole_ticks(-0.08..2.08, X_TICKS), vec![0.0, 1.0, 2.0]);
        assert_eq!(whole_ticks(-0.6..15.6, X_TICKS), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0]);
        assert_eq!(whole_ticks(-1.9..49.9, X_TICKS), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(whole_ticks(-7.7..199.7, X_TICKS), vec![0.0, 50.0, 100.0, 150.0]);
        assert_eq!(whole_ticks(0.2..0.8, X_TICKS), Vec::<f64>::new());
    }
}
