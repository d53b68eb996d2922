//! Charts, each written as SVG and PNG, drawn only from the aggregated results.
//!
//! [`build()`] reads [`RunResults`](crate::runner::RunResults) into [`Chart`]s: plain
//! data saying what to draw and in what words (`spec`). [`svg`] and [`png`] draw a
//! chart with plotters, measuring and rasterising text with the DejaVu Sans font
//! compiled into the program (`assets/fonts`), so nothing is read from the system.
//! A chart whose metrics a run lacks (no territories, no comp plans, no stages) is
//! simply not built.

pub mod build;
mod draw;
pub mod spec;

use std::sync::OnceLock;

use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend};
use plotters::style::{FontStyle, register_font};
use rayon::prelude::*;

pub use build::build;
pub use spec::{Chart, Plot};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1200;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 700;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the bundled fonts with plotters, once.
fn fonts() -> Result<(), String> {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    READY
        .get_or_init(|| {
            let bad = |_| "the font compiled into the program cannot be read".to_string();
            register_font("sans-serif", FontStyle::Normal, FONT).map_err(bad)?;
            register_font("sans-serif", FontStyle::Bold, FONT_BOLD).map_err(bad)
        })
        .clone()
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> Result<String, String> {
    fonts()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw::draw(chart, &root)?;
    }
    Ok(out)
}

/// The chart as a PNG image of [`WIDTH`] x [`HEIGHT`] pixels.
pub fn png(chart: &Chart) -> Result<Vec<u8>, String> {
    fonts()?;
    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        draw::draw(chart, &root)?;
    }
    encode_png(&pixels, WIDTH, HEIGHT)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let fail = |e: png::EncodingError| format!("cannot encode the chart as PNG: {e}");
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

/// A chart drawn in the formats asked for.
#[derive(Debug, Clone, Default)]
pub struct Drawn {
    /// The SVG document, if asked for.
    pub svg: Option<String>,
    /// The PNG bytes, if asked for.
    pub png: Option<Vec<u8>>,
}

/// Draws every chart as SVG and/or PNG, in parallel on the current rayon pool; the
/// result is in the order of `charts` whatever the scheduling.
pub fn render(charts: &[Chart], svg_too: bool, png_too: bool) -> Result<Vec<Drawn>, String> {
    let jobs: Vec<(usize, bool)> = (0..charts.len())
        .flat_map(|i| [(i, true), (i, false)])
        .filter(|(_, is_png)| if *is_png { png_too } else { svg_too })
        .collect();
    let done: Vec<(usize, Drawn)> = jobs
        .par_iter()
        .map(|&(i, is_png)| {
            let chart = &charts[i];
            let drawn = if is_png {
                Drawn { svg: None, png: Some(png(chart)?) }
            } else {
                Drawn { svg: Some(svg(chart)?), png: None }
            };
            Ok((i, drawn))
        })
        .collect::<Result<_, String>>()?;
    let mut out = vec![Drawn::default(); charts.len()];
    for (i, d) in done {
        out[i].svg = out[i].svg.take().or(d.svg);
        out[i].png = out[i].png.take().or(d.png);
    }
    Ok(out)
}
