//! Drawing a [`Heatmap`]: a grid of cells over two parameters, coloured on a sequential
//! scale from light (the lowest value) to the heatmap's colour (the highest), with the
//! value written in each cell and the parameters' values as tick labels.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::Error;

use super::spec::{Heatmap, Rgb};
use super::theme::{INK, MUTED};

/// The light end of the scale.
const LIGHT: Rgb = Rgb(241, 245, 250);
/// Cells without a value.
const MISSING: Rgb = Rgb(215, 215, 215);

fn style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&color).pos(Pos::new(h, v))
}

/// The lowest and highest finite values; `(0, 1)` when there are none.
fn range(values: &[f64]) -> (f64, f64) {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) }
}

/// The colour of `v` on the scale from `lo` (light) to `hi` (`color`).
pub(super) fn shade(v: f64, (lo, hi): (f64, f64), color: Rgb) -> Rgb {
    if !v.is_finite() {
        return MISSING;
    }
    let t = if hi > lo { ((v - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 1.0 };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    Rgb(mix(LIGHT.0, color.0), mix(LIGHT.1, color.1), mix(LIGHT.2, color.2))
}

/// Legend entries: the colours of the lowest, middle and highest values.
pub(super) fn legend(h: &Heatmap) -> Vec<(Rgb, String)> {
    let (lo, hi) = range(&h.values);
    let mid = (lo + hi) / 2.0;
    vec![
        (shade(lo, (lo, hi), h.color), format!("{} {}", h.value_label, h.notation.format(lo))),
        (shade(mid, (lo, hi), h.color), h.notation.format(mid)),
        (shade(hi, (lo, hi), h.color), h.notation.format(hi)),
    ]
}

/// Draws the grid, its tick labels and axis names on `area`.
pub(super) fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, h: &Heatmap) -> Result<(), Error> {
    let (width, height) = area.dim_in_pixel();
    let (cols, rows) = (h.columns.len(), h.rows.len());
    if cols == 0 || rows == 0 {
        return Ok(());
    }
    // Room for the row labels and the vertical axis name on the left, for the column
    // labels and the horizontal axis name below.
    let tick = style(18.0, INK, HPos::Right, VPos::Center);
    let widest = h
        .rows
        .iter()
        .map(|r| area.estimate_text_size(r, &tick).map(|(w, _)| w as i32))
        .try_fold(0, |m, w| w.map(|w| m.max(w)).map_err(Error::draw))?;
    let left = 40 + widest.min(220) + 14;
    let bottom = 70;
    let (x0, y0) = (left, 8);
    let (x1, y1) = (width as i32 - 10, height as i32 - bottom);
    let cw = f64::from(x1 - x0) / cols as f64;
    let ch = f64::from(y1 - y0) / rows as f64;
    let scale = range(&h.values);
    let size = (ch * 0.34).min(cw * 0.2).clamp(9.0, 24.0);
    for r in 0..rows {
        for c in 0..cols {
            let v = h.values.get(r * cols + c).copied().unwrap_or(f64::NAN);
            // Row 0 at the bottom.
            let top = y0 + ((rows - 1 - r) as f64 * ch).round() as i32;
            let bot = y0 + ((rows - r) as f64 * ch).round() as i32;
            let l = x0 + (c as f64 * cw).round() as i32;
            let rt = x0 + ((c + 1) as f64 * cw).round() as i32;
            let fill = shade(v, scale, h.color);
            let colour = RGBColor(fill.0, fill.1, fill.2);
            area.draw(&Rectangle::new([(l, top), (rt, bot)], colour.filled())).map_err(Error::draw)?;
            area.draw(&Rectangle::new([(l, top), (rt, bot)], WHITE.stroke_width(2))).map_err(Error::draw)?;
            // Dark text on light cells, white on dark ones.
            let luminance = 0.2126 * f64::from(fill.0) + 0.7152 * f64::from(fill.1) + 0.0722 * f64::from(fill.2);
            let ink = if luminance > 140.0 { INK } else { WHITE };
            let label = if v.is_finite() { h.notation.format(v) } else { "n/a".to_string() };
            let text = ("sans-serif", size).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
            area.draw_text(&label, &text, ((l + rt) / 2, (top + bot) / 2)).map_err(Error::draw)?;
        }
    }
    // Column labels, thinned so that they do not overlap.
    let col_style = style(18.0, INK, HPos::Center, VPos::Top);
    let longest = h.columns.iter().map(|s| s.chars().count()).max().unwrap_or(1) as f64;
    let every = ((longest * 11.0 + 12.0) / cw).ceil().max(1.0) as usize;
    for (c, name) in h.columns.iter().enumerate().filter(|(c, _)| c % every == 0) {
        let x = x0 + ((c as f64 + 0.5) * cw).round() as i32;
        area.draw_text(name, &col_style, (x, y1 + 8)).map_err(Error::draw)?;
    }
    let row_every = (26.0 / ch).ceil().max(1.0) as usize;
    for (r, name) in h.rows.iter().enumerate().filter(|(r, _)| r % row_every == 0) {
        let y = y0 + (((rows - 1 - r) as f64 + 0.5) * ch).round() as i32;
        area.draw_text(name, &tick, (x0 - 10, y)).map_err(Error::draw)?;
    }
    let x_name = style(19.0, MUTED, HPos::Center, VPos::Bottom);
    area.draw_text(&h.x_label, &x_name, ((x0 + x1) / 2, height as i32 - 4)).map_err(Error::draw)?;
    let y_name = ("sans-serif", 19.0)
        .into_font()
        .transform(FontTransform::Rotate270)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(&h.y_label, &y_name, (4, (y0 + y1) / 2)).map_err(Error::draw)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_from_light_to_the_colour() {
        let navy = crate::report::charts::theme::NAVY;
        assert_eq!(shade(0.2, (0.2, 0.9), navy), LIGHT);
        assert_eq!(shade(0.9, (0.2, 0.9), navy), navy);
        assert_eq!(shade(f64::NAN, (0.2, 0.9), navy), MISSING);
        assert_eq!(shade(5.0, (5.0, 5.0), navy), navy);
    }
}
