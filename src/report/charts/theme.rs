//! The look every chart shares, defined once: the colours of series and of ink, grid
//! and axes, and the text style of the bundled font. The run's charts, the what-ifs'
//! and the back-test's take their colours from here.

use plotters::prelude::*;

use super::spec::Rgb;

/// ARR, the median and the main series.
pub const NAVY: Rgb = Rgb(31, 78, 121);
/// A target, a quota, what is lost.
pub const RED: Rgb = Rgb(192, 57, 43);
/// What reaches the target.
pub const GREEN: Rgb = Rgb(46, 139, 87);
/// What falls short of it.
pub const SLATE: Rgb = Rgb(140, 160, 180);
/// References such as 100%.
pub const GREY: Rgb = Rgb(110, 110, 110);
/// One colour per role, territory or stage, in order (colour-blind safe order).
pub const PALETTE: [Rgb; 8] = [
    Rgb(78, 121, 167),
    Rgb(242, 142, 43),
    Rgb(89, 161, 79),
    Rgb(225, 87, 89),
    Rgb(176, 122, 161),
    Rgb(118, 183, 178),
    Rgb(237, 201, 72),
    Rgb(156, 117, 95),
];
/// A base line drawn across a plot (the base of a tornado, a scenario's own plan).
pub const BASE: Rgb = Rgb(60, 60, 60);

/// Text colour of titles, names and values.
pub(super) const INK: RGBColor = RGBColor(25, 25, 25);
/// Text colour of subtitles, ticks, axis names and notes.
pub(super) const MUTED: RGBColor = RGBColor(95, 95, 95);
/// Grid lines.
pub(super) const GRID: RGBColor = RGBColor(228, 228, 228);
/// Axis lines.
pub(super) const AXIS: RGBColor = RGBColor(160, 160, 160);

/// A colour as plotters takes it.
pub(super) fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Text of `size` in the bundled sans-serif font.
pub(super) fn text(size: f64, color: RGBColor) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&color)
}
