//! Colours: the theme, the heatmap colour map, the 3-band waveform mix and a palette for labels.

use plotters::style::RGBColor;

pub(super) const BACKGROUND: RGBColor = RGBColor(16, 16, 24);
pub(super) const FOREGROUND: RGBColor = RGBColor(220, 220, 230);
pub(super) const WAVE: RGBColor = RGBColor(80, 200, 255);
pub(super) const BEAT: RGBColor = RGBColor(200, 200, 210);
pub(super) const DOWNBEAT: RGBColor = RGBColor(255, 140, 40);
pub(super) const PITCH: RGBColor = RGBColor(80, 255, 120);
pub(super) const MOMENTARY: RGBColor = RGBColor(90, 170, 255);
pub(super) const SHORT_TERM: RGBColor = RGBColor(255, 200, 60);
pub(super) const INTEGRATED: RGBColor = RGBColor(235, 235, 245);
pub(super) const TARGET: RGBColor = RGBColor(255, 60, 90);

/// A perceptually uniform dark-to-bright colour map (control points of matplotlib's *magma*),
/// `v` in `[0, 1]`.
pub(super) fn magma(v: f32) -> [u8; 3] {
    const STOPS: [(f32, f32, f32); 9] = [
        (0.0, 0.0, 4.0),
        (28.0, 16.0, 68.0),
        (79.0, 18.0, 123.0),
        (129.0, 37.0, 129.0),
        (181.0, 54.0, 122.0),
        (229.0, 80.0, 100.0),
        (251.0, 135.0, 97.0),
        (254.0, 194.0, 135.0),
        (252.0, 253.0, 191.0),
    ];
    let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
    let pos = v * (STOPS.len() - 1) as f32;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let t = pos - i as f32;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f32, q: f32| (p + (q - p) * t).round() as u8;
    [mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)]
}

/// Colours of the three bands of [`super::Panel::Waveform3`]: red lows, green mids, blue highs
/// (Serato's and rekordbox's RGB waveforms), lightened to stand out on the dark background.
pub(super) const LOW: [f32; 3] = [255.0, 40.0, 40.0];
pub(super) const MID: [f32; 3] = [40.0, 255.0, 60.0];
pub(super) const HIGH: [f32; 3] = [50.0, 110.0, 255.0];

/// The colour of a column whose bands have amplitudes (square roots of energy) `low`, `mid`,
/// `high`: the band colours weighted by the amplitudes, scaled so the brightest channel is
/// 255 (a column's loudness shows as its height, not its brightness).
pub(super) fn band_mix(low: f32, mid: f32, high: f32) -> [u8; 3] {
    let top = low.max(mid).max(high);
    if top.is_nan() || top <= 0.0 {
        return [90, 90, 100];
    }
    let (l, m, h) = (low / top, mid / top, high / top);
    let c: [f32; 3] = std::array::from_fn(|i| l * LOW[i] + m * MID[i] + h * HIGH[i]);
    let peak = c[0].max(c[1]).max(c[2]).max(1.0);
    c.map(|v| (v * 255.0 / peak).round().clamp(0.0, 255.0) as u8)
}

/// Scale a colour's brightness by `k` in `[0, 1]`.
pub(super) fn dim(c: [u8; 3], k: f32) -> [u8; 3] {
    c.map(|v| (v as f32 * k).round() as u8)
}

/// Distinct colours for segment labels and curves, cycled.
pub(super) fn palette(i: usize) -> RGBColor {
    const COLOURS: [RGBColor; 10] = [
        RGBColor(80, 200, 255),
        RGBColor(255, 170, 50),
        RGBColor(120, 230, 120),
        RGBColor(240, 90, 200),
        RGBColor(250, 240, 90),
        RGBColor(170, 130, 255),
        RGBColor(255, 110, 100),
        RGBColor(70, 230, 210),
        RGBColor(200, 200, 200),
        RGBColor(160, 210, 60),
    ];
    COLOURS[i % COLOURS.len()]
}
