//! Charts, each written as SVG and PNG, drawn only from the aggregated results.
//!
//! [`build()`] reads [`RunResults`](crate::runner::RunResults) into [`Chart`]s: plain
//! data saying what to draw and in what words (`spec`). [`svg`] draws a chart with
//! plotters, which measures text with the DejaVu Sans font compiled into the program
//! (`assets/fonts`); [`png`] rasterises that SVG with resvg, shaping text with the same
//! font. Nothing is read from the system.
//! A chart whose metrics a run lacks (no territories, no comp plans, no stages) is
//! simply not built.

pub mod build;
mod draw;
mod heatmap;
pub mod spec;
pub mod theme;
mod tornado;

use std::sync::{Arc, OnceLock};

use plotters::prelude::{IntoDrawingArea, SVGBackend};
use plotters::style::{FontStyle, register_font};
use rayon::prelude::*;
use resvg::tiny_skia::{IntSize, Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use super::Error;

pub use build::build;
pub use spec::{Chart, Plot};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1200;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 700;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The bundled fonts for resvg, with `sans-serif` (the family the SVG names) mapped to them.
fn font_database() -> Arc<fontdb::Database> {
    static DATABASE: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_font_source(fontdb::Source::Binary(Arc::new(FONT)));
            db.load_font_source(fontdb::Source::Binary(Arc::new(FONT_BOLD)));
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// Registers the bundled fonts with plotters, once.
fn fonts() -> Result<(), Error> {
    static READY: OnceLock<Result<(), Error>> = OnceLock::new();
    READY
        .get_or_init(|| {
            let bad = |_| Error::Font;
            register_font("sans-serif", FontStyle::Normal, FONT).map_err(bad)?;
            register_font("sans-serif", FontStyle::Bold, FONT_BOLD).map_err(bad)
        })
        .clone()
}

/// The chart as an SVG document. Its words are drawn as [`Chart::visible`] shows them;
/// plotters then escapes `<`, `&` and quotes for XML.
pub fn svg(chart: &Chart) -> Result<String, Error> {
    fonts()?;
    let chart = chart.visible();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw::draw(&chart, &root)?;
    }
    Ok(out)
}

/// The chart as a PNG image of [`WIDTH`] x [`HEIGHT`] pixels.
pub fn png(chart: &Chart) -> Result<Vec<u8>, Error> {
    rasterise(&svg(chart)?)
}

/// A chart's SVG as a PNG image of [`WIDTH`] x [`HEIGHT`] pixels on white.
fn rasterise(svg: &str) -> Result<Vec<u8>, Error> {
    let options =
        usvg::Options { font_family: "DejaVu Sans".to_string(), fontdb: font_database(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(&paint_opacity(svg), &options).map_err(|e| Error::Svg(e.to_string()))?;
    let mut pixmap = white_pixmap()?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    encode_png(&without_alpha(pixmap.data()), WIDTH, HEIGHT)
}

/// A [`WIDTH`] x [`HEIGHT`] pixmap of opaque white, made in one pass: opaque white is
/// 255 in every byte, premultiplied or not, so this is what `Pixmap::new` followed by
/// `fill(Color::WHITE)` gives, without first zeroing the memory.
fn white_pixmap() -> Result<Pixmap, Error> {
    let size = IntSize::from_wh(WIDTH, HEIGHT).ok_or(Error::Image)?;
    let bytes = vec![u8::MAX; WIDTH as usize * HEIGHT as usize * 4];
    Pixmap::from_vec(bytes, size).ok_or(Error::Image)
}

/// The RGB bytes of opaque RGBA pixels: on white every pixel is opaque, and an opaque
/// pixel's premultiplied values equal its colour. Written into a buffer of the final
/// size pixel by pixel, which compiles to a loop without a capacity check per pixel.
fn without_alpha(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = vec![0; rgba.len() / 4 * 3];
    for (to, from) in rgb.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        to.copy_from_slice(&from[..3]);
    }
    rgb
}

/// `svg` with the `opacity` of each shape that has only one paint (a fill and no stroke,
/// or a stroke and no fill) moved onto that paint (`fill-opacity` or `stroke-opacity`).
/// Plotters writes translucent bands and swatches with `opacity`, which a renderer
/// draws in a layer of their own and then blends; on a shape with one paint the
/// picture is the same, without the layer.
fn paint_opacity(svg: &str) -> String {
    const SHAPES: [&str; 7] = ["<polygon ", "<polyline ", "<rect ", "<circle ", "<ellipse ", "<path ", "<line "];
    const OPACITY: &str = " opacity=\"";
    let mut out = String::with_capacity(svg.len() + svg.len() / 16);
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else { break };
        let tag = &rest[start..=start + len];
        out.push_str(&rest[..start]);
        rest = &rest[start + len + 1..];
        let shape = SHAPES.iter().any(|s| tag.starts_with(s));
        let translucent = tag.find(OPACITY).filter(|&at| !tag[at + OPACITY.len()..].starts_with("1\""));
        let (Some(at), true) = (translucent, shape) else {
            out.push_str(tag);
            continue;
        };
        let no_fill = tag.contains(" fill=\"none\"");
        let no_stroke = !tag.contains(" stroke=\"") || tag.contains(" stroke=\"none\"");
        let paint = match (no_fill, no_stroke) {
            (true, false) => " stroke-opacity=\"",
            (false, true) => " fill-opacity=\"",
            _ => OPACITY,
        };
        out.push_str(&tag[..at]);
        out.push_str(paint);
        out.push_str(&tag[at + OPACITY.len()..]);
    }
    out.push_str(rest);
    out
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, Error> {
    let fail = |e: png::EncodingError| Error::Png(e.to_string());
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
pub fn render(charts: &[Chart], svg_too: bool, png_too: bool) -> Result<Vec<Drawn>, Error> {
    if !svg_too && !png_too {
        return Ok(vec![Drawn::default(); charts.len()]);
    }
    charts
        .par_iter()
        .map(|chart| {
            let svg = svg(chart)?;
            let png = if png_too { Some(rasterise(&svg)?) } else { None };
            Ok(Drawn { svg: svg_too.then_some(svg), png })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_white_pixmap_is_a_filled_one() {
        let mut filled = Pixmap::new(WIDTH, HEIGHT).unwrap();
        filled.fill(resvg::tiny_skia::Color::WHITE);
        assert!(white_pixmap().unwrap().data() == filled.data());
    }

    #[test]
    fn dropping_alpha_keeps_each_pixels_colour() {
        assert_eq!(without_alpha(&[1, 2, 3, 255, 4, 5, 6, 255]), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn opacity_moves_onto_the_only_paint_of_a_shape() {
        let svg = concat!(
            r##"<svg width="10" height="10"><polygon opacity="0.18" fill="#1F4E79" points="1,1 2,2 "/>"##,
            r##"<polyline fill="none" opacity="0.5" stroke="#A0A0A0" points="1,1 2,2 "/>"##,
            r##"<rect x="0" y="0" width="1" height="1" opacity="0.3" fill="#1F4E79" stroke="none"/>"##,
            r##"<rect x="0" y="0" width="1" height="1" opacity="0.3" fill="#1F4E79" stroke="#000000"/>"##,
            r##"<rect x="0" y="0" width="1" height="1" opacity="1" fill="#FFFFFF" stroke="none"/>"##,
            r##"<g opacity="0.5"><text x="1" y="1" opacity="0.5" fill="#191919">a &lt; b</text></g></svg>"##,
        );
        let want = concat!(
            r##"<svg width="10" height="10"><polygon fill-opacity="0.18" fill="#1F4E79" points="1,1 2,2 "/>"##,
            r##"<polyline fill="none" stroke-opacity="0.5" stroke="#A0A0A0" points="1,1 2,2 "/>"##,
            r##"<rect x="0" y="0" width="1" height="1" fill-opacity="0.3" fill="#1F4E79" stroke="none"/>"##,
            // Two paints, an opaque shape, a group and text keep their `opacity`.
            r##"<rect x="0" y="0" width="1" height="1" opacity="0.3" fill="#1F4E79" stroke="#000000"/>"##,
            r##"<rect x="0" y="0" width="1" height="1" opacity="1" fill="#FFFFFF" stroke="none"/>"##,
            r##"<g opacity="0.5"><text x="1" y="1" opacity="0.5" fill="#191919">a &lt; b</text></g></svg>"##,
        );
        assert_eq!(paint_opacity(svg), want);
    }
}
