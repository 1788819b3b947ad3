//! Hand-written SVG charts for `report.html`: ROC curve, reliability diagram,
//! confusion matrix, per-group rate bars and the latency histogram.
//!
//! Each chart is one inline `<svg>` (HTML5 puts it in the SVG namespace, so
//! no `xmlns` URL appears in the page) with a `viewBox` so it scales with the
//! page, a `<title>` for screen readers, and presentation attributes rather
//! than CSS classes, so it does not depend on the page's stylesheet.
//! Every label passes through [`escape`]; a non-finite coordinate is drawn at
//! the axis origin instead of producing invalid markup.
use super::num::{fixed, metric, ms};
use super::xml::escape;
use crate::evaluate::curves::{CalibrationBin, LatencyHistogram, RocPoint};
use crate::evaluate::fairness::GroupStats;
use crate::evaluate::metrics::Confusion;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 360.0;
pub const BLUE: &str = "#2563eb";
pub const ORANGE: &str = "#ea580c";
pub const GREEN: &str = "#16a34a";
pub const RED: &str = "#dc2626";
const GREY: &str = "#6b7280";
const GRID: &str = "#e5e7eb";
const BAR_GREY: &str = "#d1d5db";
const INK: &str = "#111827";
const WHITE: &str = "#ffffff";
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/// Group labels longer than this are cut (the full name is in the table).
const LABEL_CHARS: usize = 14;

/// A linear plot area inside a fixed-size SVG.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x: (f64, f64),
    y: (f64, f64),
}

/// An SVG coordinate: one decimal, and 0 for a non-finite value.
fn c(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}")
    } else {
        "0".to_string()
    }
}

impl Frame {
    fn new(x: (f64, f64), y: (f64, f64)) -> Frame {
        Frame {
            left: 60.0,
            right: WIDTH - 20.0,
            top: 54.0,
            bottom: HEIGHT - 50.0,
            x,
            y,
        }
    }

    fn px(&self, v: f64) -> f64 {
        let span = (self.x.1 - self.x.0).max(f64::MIN_POSITIVE);
        self.left + (v - self.x.0) / span * (self.right - self.left)
    }

    fn py(&self, v: f64) -> f64 {
        let span = (self.y.1 - self.y.0).max(f64::MIN_POSITIVE);
        self.bottom - (v - self.y.0) / span * (self.bottom - self.top)
    }

    /// Grid lines, tick labels and axis titles.
    fn axes(&self, xt: &[f64], yt: &[f64], xlabel: &str, ylabel: &str) -> String {
        let mut s = String::new();
        let (xd, yd) = (tick_decimals(xt), tick_decimals(yt));
        for &t in yt {
            let y = c(self.py(t));
            let _ = write!(
                s,
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}"/><text x="{}" y="{y}" dy="4" text-anchor="end" fill="{GREY}">{}</text>"#,
                c(self.left),
                c(self.right),
                c(self.left - 6.0),
                fixed(t, yd)
            );
        }
        for &t in xt {
            let x = c(self.px(t));
            let _ = write!(
                s,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}"/><text x="{x}" y="{}" text-anchor="middle" fill="{GREY}">{}</text>"#,
                c(self.top),
                c(self.bottom),
                c(self.bottom + 16.0),
                fixed(t, xd)
            );
        }
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{GREY}"/>"#,
            c(self.left),
            c(self.top),
            c(self.right - self.left),
            c(self.bottom - self.top)
        );
        s + &axis_titles(self, xlabel, ylabel)
    }
}

fn axis_titles(f: &Frame, xlabel: &str, ylabel: &str) -> String {
    let (mx, my) = ((f.left + f.right) / 2.0, (f.top + f.bottom) / 2.0);
    format!(
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}">{}</text><text transform="translate(16 {}) rotate(-90)" text-anchor="middle" fill="{INK}">{}</text>"#,
        c(mx),
        c(HEIGHT - 12.0),
        escape(xlabel),
        c(my),
        escape(ylabel)
    )
}

/// Opens a chart: the root element, its accessible title and the visible one.
fn open(title: &str) -> String {
    let t = escape(title);
    format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" font-family="{FONT}" font-size="12"><title>{t}</title><rect width="{WIDTH}" height="{HEIGHT}" fill="{WHITE}"/><text x="12" y="22" font-size="15" font-weight="600" fill="{INK}">{t}</text>"#
    )
}

/// A short note under the title (what the chart leaves out, etc.).
fn subtitle(text: &str) -> String {
    format!(
        r#"<text x="12" y="38" fill="{GREY}">{}</text>"#,
        escape(text)
    )
}

/// Round tick values (1, 2, 5 × 10^k steps) covering `[lo, hi]`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || target == 0 {
        return vec![if lo.is_finite() { lo } else { 0.0 }];
    }
    let raw = (hi - lo) / target as f64;
    let exp = raw.log10().floor() as i32;
    let mag = 10f64.powi(exp);
    let m = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| m * mag >= raw)
        .unwrap_or(10.0);
    let step = m * mag;
    let (first, last) = ((lo / step - 1e-9).ceil(), (hi / step + 1e-9).floor());
    // A range near the smallest doubles (subnormal values) has no round
    // step: 10^exp underflows. Then the ends themselves are the ticks.
    let sane = step > 0.0 && first.is_finite() && last.is_finite() && last - first <= 100.0;
    if !sane {
        return vec![lo, hi];
    }
    let (first, last) = (first as i64, last as i64);
    // Divide by a power of ten rather than multiply by a fractional step, so
    // ticks are the closest doubles to 0.6, 0.0035, ... (not 0.6000000000000001).
    let tick = |i: i64| {
        if exp < 0 {
            i as f64 * m / 10f64.powi(-exp)
        } else {
            i as f64 * step
        }
    };
    (first..=last).map(tick).collect()
}

/// Decimals that tell adjacent ticks apart.
fn tick_decimals(ticks: &[f64]) -> usize {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => return 2,
    };
    if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    }
}

fn polyline(f: &Frame, points: &[(f64, f64)], color: &str, extra: &str) -> String {
    let pts: Vec<String> = points
        .iter()
        .map(|&(x, y)| format!("{},{}", c(f.px(x)), c(f.py(y))))
        .collect();
    format!(
        r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2" {extra}/>"#,
        pts.join(" ")
    )
}

/// A legend row at the top right: colour swatch and label per item.
fn legend(items: &[(&str, String)]) -> String {
    let mut s = String::new();
    let mut x = WIDTH - 20.0;
    for (color, label) in items.iter().rev() {
        let w = 22.0 + 6.5 * label.chars().count() as f64;
        x -= w;
        let _ = write!(
            s,
            r#"<rect x="{}" y="12" width="12" height="12" fill="{color}"/><text x="{}" y="22" fill="{INK}">{}</text>"#,
            c(x),
            c(x + 16.0),
            escape(label)
        );
        x -= 10.0;
    }
    s
}

/// The dashed y = x reference line of a unit-square chart.
fn diagonal(f: &Frame) -> String {
    polyline(
        f,
        &[(0.0, 0.0), (1.0, 1.0)],
        GREY,
        r#"stroke-dasharray="5 4""#,
    )
}

/// A unit-square chart (both axes 0..1, ticks every 0.2): its frame and its
/// opening markup with `note` under the title and the axes drawn.
fn unit_square(title: &str, note: &str, xlabel: &str, ylabel: &str) -> (Frame, String) {
    let f = Frame::new((0.0, 1.0), (0.0, 1.0));
    let ticks = nice_ticks(0.0, 1.0, 5);
    let mut s = open(title);
    if !note.is_empty() {
        s += &subtitle(note);
    }
    s += &f.axes(&ticks, &ticks, xlabel, ylabel);
    (f, s)
}

/// An empty chart that says why there is nothing to draw.
pub fn unavailable(title: &str, why: &str) -> String {
    format!(
        r#"{}<text x="{}" y="{}" text-anchor="middle" fill="{GREY}">{}</text></svg>"#,
        open(title),
        c(WIDTH / 2.0),
        c(HEIGHT / 2.0),
        escape(why)
    )
}

/// The ROC curve, the chance diagonal and the operating point at `threshold`.
/// With `confidence` (`[stats]`), a shaded band shows the pointwise Wilson
/// interval of the true-positive rate at each point.
pub fn roc(
    points: &[RocPoint],
    auc: Option<f64>,
    c_m: &Confusion,
    threshold: f64,
    confidence: Option<f64>,
) -> String {
    let title = format!("ROC curve (AUC {})", metric(auc));
    if points.is_empty() {
        return unavailable(&title, "undefined: the test set has a single class");
    }
    let (f, mut s) = unit_square(&title, "", "false positive rate", "true positive rate");
    s += &diagonal(&f);
    if let Some(c) = confidence {
        s += &tpr_band(&f, points, c_m.tp + c_m.fn_, c);
    }
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.fpr, p.tpr)).collect();
    s += &polyline(&f, &xy, BLUE, "");
    let (neg, pos) = ((c_m.fp + c_m.tn) as f64, (c_m.tp + c_m.fn_) as f64);
    if neg > 0.0 && pos > 0.0 {
        let (x, y) = (f.px(c_m.fp as f64 / neg), f.py(c_m.tp as f64 / pos));
        let _ = write!(
            s,
            r#"<circle cx="{}" cy="{}" r="5" fill="{ORANGE}"/><text x="{}" y="{}" fill="{ORANGE}">threshold {}</text>"#,
            c(x),
            c(y),
            c(x + 8.0),
            c(y + 16.0),
            fixed(threshold, 2)
        );
    }
    s += &legend(&[(BLUE, "model".into()), (GREY, "chance".into())]);
    s + "</svg>"
}

/// The band between the Wilson interval ends of each point's true-positive
/// rate (`positives` rows): the upper ends left to right, then the lower
/// ends back, as one translucent polygon.
fn tpr_band(f: &Frame, points: &[RocPoint], positives: u64, confidence: f64) -> String {
    let ends: Vec<(f64, (f64, f64))> = points
        .iter()
        .filter_map(|p| {
            let k = (p.tpr * positives as f64).round();
            let ci = (k.is_finite() && k >= 0.0)
                .then(|| crate::evaluate::stats::wilson(k as u64, positives, confidence))??;
            Some((p.fpr, ci))
        })
        .collect();
    if ends.is_empty() {
        return String::new();
    }
    let upper = ends.iter().map(|&(x, (_, hi))| (x, hi));
    let lower = ends.iter().rev().map(|&(x, (lo, _))| (x, lo));
    let pts: Vec<String> = upper
        .chain(lower)
        .map(|(x, y)| format!("{},{}", c(f.px(x)), c(f.py(y))))
        .collect();
    format!(
        r#"<polygon points="{}" fill="{BLUE}" fill-opacity="0.15" stroke="none"/>"#,
        pts.join(" ")
    )
}

/// The reliability diagram: observed positive rate against mean score per
/// bin, the diagonal of perfect calibration, and each bin's share of rows.
pub fn calibration(bins: &[CalibrationBin]) -> String {
    let title = "Calibration (reliability diagram)";
    let total: u64 = bins.iter().map(|b| b.count).sum();
    if total == 0 {
        return unavailable(title, "no scored rows");
    }
    let note = format!(
        "{} bins; grey bars: rows per bin (the fullest to 25% height) of {total} test rows",
        bins.len()
    );
    let (f, mut s) = unit_square(title, &note, "mean predicted score", "fraction positive");
    let fullest = bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    for b in bins {
        let (x0, x1) = (f.px(b.lo) + 1.0, f.px(b.hi) - 1.0);
        let (y0, y1) = (f.py(0.0), f.py(b.count as f64 / fullest * 0.25));
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{BAR_GREY}"/>"#,
            c(x0),
            c(y1),
            c(x1 - x0),
            c(y0 - y1)
        );
    }
    s += &diagonal(&f);
    let xy: Vec<(f64, f64)> = bins
        .iter()
        .filter_map(|b| b.mean_score.zip(b.fraction_positive))
        .collect();
    s += &polyline(&f, &xy, BLUE, "");
    for &(x, y) in &xy {
        let _ = write!(
            s,
            r#"<circle cx="{}" cy="{}" r="4" fill="{BLUE}"/>"#,
            c(f.px(x)),
            c(f.py(y))
        );
    }
    s += &legend(&[(BLUE, "model".into()), (GREY, "perfect".into())]);
    s + "</svg>"
}

/// One confusion-matrix cell: shaded by its share of all rows.
fn matrix_cell(x: f64, y: f64, label: &str, count: u64, total: u64, color: &str) -> String {
    let share = if total > 0 {
        count as f64 / total as f64
    } else {
        0.0
    };
    let opacity = 0.12 + 0.78 * share.sqrt();
    let ink = if opacity > 0.55 { WHITE } else { INK };
    let (cx, w, h) = (x + 90.0, 180.0, 120.0);
    format!(
        r#"<rect x="{}" y="{}" width="{w}" height="{h}" fill="{color}" fill-opacity="{opacity:.2}" stroke="{WHITE}" stroke-width="2"/><text x="{}" y="{}" text-anchor="middle" font-size="24" font-weight="600" fill="{ink}">{count}</text><text x="{}" y="{}" text-anchor="middle" fill="{ink}">{} · {}%</text>"#,
        c(x),
        c(y),
        c(cx),
        c(y + 58.0),
        c(cx),
        c(y + 82.0),
        escape(label),
        fixed(share * 100.0, 1)
    )
}

/// The 2×2 confusion matrix: actual class by row, predicted by column.
pub fn confusion(m: &Confusion, threshold: f64) -> String {
    let total = m.tp + m.fp + m.tn + m.fn_;
    let mut s = open("Confusion matrix");
    s += &subtitle(&format!(
        "{total} test rows; predicted positive when score >= {}",
        fixed(threshold, 2)
    ));
    let (x0, y0) = (150.0, 80.0);
    s += &matrix_cell(x0, y0, "true positive", m.tp, total, BLUE);
    s += &matrix_cell(x0 + 180.0, y0, "false negative", m.fn_, total, ORANGE);
    s += &matrix_cell(x0, y0 + 120.0, "false positive", m.fp, total, ORANGE);
    s += &matrix_cell(x0 + 180.0, y0 + 120.0, "true negative", m.tn, total, BLUE);
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}">predicted positive</text><text x="{}" y="{}" text-anchor="middle" fill="{INK}">predicted negative</text><text x="{}" y="{}" text-anchor="end" fill="{INK}">actual positive</text><text x="{}" y="{}" text-anchor="end" fill="{INK}">actual negative</text>"#,
        c(x0 + 90.0),
        c(y0 - 10.0),
        c(x0 + 270.0),
        c(y0 - 10.0),
        c(x0 - 10.0),
        c(y0 + 64.0),
        c(x0 - 10.0),
        c(y0 + 184.0)
    );
    s + "</svg>"
}

/// A group name short enough for an axis label.
fn short_label(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        return name.to_string();
    }
    let cut: String = name.chars().take(LABEL_CHARS - 1).collect();
    format!("{cut}…")
}

/// One bar with its value above it (above its error bar, when it has an
/// interval); `None` draws a `n/a` label only.
fn bar(
    f: &Frame,
    x: f64,
    w: f64,
    v: Option<f64>,
    color: &str,
    label: bool,
    interval: Option<(f64, f64)>,
) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return format!(
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{GREY}" font-size="10">n/a</text>"#,
            c(x + w / 2.0),
            c(f.py(0.0) - 4.0)
        );
    };
    let (top, base) = (f.py(v.clamp(0.0, 1.0)), f.py(0.0));
    let mut s = format!(
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{color}"/>"#,
        c(x),
        c(top),
        c(w),
        c(base - top)
    );
    s += &error_bar(f, x + w / 2.0, interval);
    if label {
        let above = interval.map_or(v, |(_, high)| high.max(v));
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}" font-size="10">{}</text>"#,
            c(x + w / 2.0),
            c(f.py(above.clamp(0.0, 1.0)) - 4.0),
            fixed(v, 2)
        );
    }
    s
}

/// A vertical error bar with caps at `x` from `low` to `high`; nothing
/// without an interval.
fn error_bar(f: &Frame, x: f64, interval: Option<(f64, f64)>) -> String {
    let Some((low, high)) = interval.filter(|(l, h)| l.is_finite() && h.is_finite()) else {
        return String::new();
    };
    let (y0, y1) = (f.py(low.clamp(0.0, 1.0)), f.py(high.clamp(0.0, 1.0)));
    format!(
        r#"<path d="M{x} {y0}V{y1}M{l} {y0}H{r}M{l} {y1}H{r}" stroke="{INK}" stroke-width="1.5" fill="none"/>"#,
        x = c(x),
        y0 = c(y0),
        y1 = c(y1),
        l = c(x - 4.0),
        r = c(x + 4.0)
    )
}

/// Selection rate and TPR side by side for every group of one attribute.
/// With `confidence` (`[stats]`), each bar carries its Wilson interval as an
/// error bar.
pub fn group_rates(
    attribute: &str,
    groups: &BTreeMap<String, GroupStats>,
    confidence: Option<f64>,
) -> String {
    let title = format!("Fairness: {attribute}");
    if groups.is_empty() {
        return unavailable(&title, "no groups in the test set");
    }
    let f = Frame::new((0.0, groups.len() as f64), (0.0, 1.0));
    let mut s = open(&title);
    s += &subtitle("selection rate and true-positive rate per group");
    s += &f.axes(&[], &nice_ticks(0.0, 1.0, 5), "group (test rows)", "rate");
    let slot = f.px(1.0) - f.px(0.0);
    let w = (slot * 0.36).min(44.0);
    let labels = groups.len() <= 12;
    for (i, (name, g)) in groups.iter().enumerate() {
        let mid = f.px(i as f64 + 0.5);
        let sel_ci = confidence.and_then(|c| g.selection_rate_interval(c));
        let tpr_ci = confidence.and_then(|c| g.tpr_interval(c));
        s += &bar(&f, mid - w - 1.0, w, g.selection_rate, BLUE, labels, sel_ci);
        s += &bar(&f, mid + 1.0, w, g.tpr, ORANGE, labels, tpr_ci);
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}">{}</text><text x="{}" y="{}" text-anchor="middle" fill="{GREY}" font-size="10">n={}</text>"#,
            c(mid),
            c(f.bottom + 15.0),
            escape(&short_label(name)),
            c(mid),
            c(f.bottom + 27.0),
            g.count
        );
    }
    s += &legend(&[(BLUE, "selection rate".into()), (ORANGE, "TPR".into())]);
    s + "</svg>"
}

/// A dashed vertical marker at `x` (a percentile), clipped to the plot.
fn marker(f: &Frame, x: f64, color: &str) -> String {
    let px = f.px(x).clamp(f.left, f.right);
    format!(
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{color}" stroke-width="2" stroke-dasharray="6 4"/>"#,
        c(px),
        c(f.top),
        c(px),
        c(f.bottom)
    )
}

/// The distribution of single-row latencies with p50, p95 and p99 marked.
pub fn latency(h: &LatencyHistogram, p: [f64; 3]) -> String {
    let title = "Single-row latency";
    let (Some(&lo), Some(&hi)) = (h.edges_ms.first(), h.edges_ms.last()) else {
        return unavailable(title, "no timed calls");
    };
    let peak = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let f = Frame::new((lo, hi), (0.0, peak * 1.08));
    let mut s = open(title);
    let calls = h.counts.iter().sum::<u64>() + h.above;
    s += &subtitle(&format!(
        "{calls} calls; {} slower than p99 not drawn (slowest {} ms)",
        h.above,
        ms(Some(h.max_ms))
    ));
    let yt = nice_ticks(0.0, peak * 1.08, 5);
    s += &f.axes(&nice_ticks(lo, hi, 6), &yt, "milliseconds", "calls");
    for (i, &n) in h.counts.iter().enumerate() {
        let (Some(&a), Some(&b)) = (h.edges_ms.get(i), h.edges_ms.get(i + 1)) else {
            break;
        };
        let (x0, x1, top) = (f.px(a), f.px(b), f.py(n as f64));
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{BLUE}" fill-opacity="0.8"/>"#,
            c(x0 + 0.5),
            c(top),
            c((x1 - x0 - 1.0).max(0.5)),
            c(f.py(0.0) - top)
        );
    }
    let colors = [GREEN, ORANGE, RED];
    let mut items = Vec::new();
    for ((v, color), name) in p.iter().zip(colors).zip(["p50", "p95", "p99"]) {
        s += &marker(&f, *v, color);
        items.push((color, format!("{name} {} ms", ms(Some(*v)))));
    }
    s += &legend(&items);
    s + "</svg>"
}

/// Features shown in the importance chart (the rest are in the table).
const IMPORTANCE_BARS: usize = 15;

/// Horizontal bars of mean |contribution| per input feature, most
/// important first (at most [`IMPORTANCE_BARS`]).
pub fn importance(units: &str, ranked: &[(String, f64)]) -> String {
    let title = "Feature importance";
    let shown: Vec<&(String, f64)> = ranked
        .iter()
        .filter(|(_, v)| v.is_finite())
        .take(IMPORTANCE_BARS)
        .collect();
    if shown.is_empty() {
        return unavailable(title, "no feature contributions");
    }
    let max = shown.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let mut ticks = nice_ticks(0.0, if max > 0.0 { max } else { 1.0 }, 5);
    // The ticks stop at the last round value inside the range: one more
    // step, so the longest bar ends inside the axis (1.27 on a 0-1.4 axis).
    if let (Some(&last), [a, b, ..]) = (ticks.last(), ticks.as_slice()) {
        if last < max {
            ticks.push(last + (b - a));
        }
    }
    let hi = ticks.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    let mut f = Frame::new((0.0, hi), (0.0, shown.len() as f64));
    f.left = 130.0;
    let mut s = open(title);
    s += &subtitle(&format!(
        "mean |contribution| over the test rows, in {units}"
    ));
    s += &f.axes(&ticks, &[], &format!("mean |contribution| ({units})"), "");
    let slot = (f.bottom - f.top) / shown.len() as f64;
    for (i, (name, v)) in shown.iter().enumerate() {
        let y = f.top + slot * i as f64;
        let h = (slot * 0.7).min(22.0);
        let y0 = y + (slot - h) / 2.0;
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{BLUE}"/><text x="{}" y="{}" text-anchor="end" fill="{INK}">{}</text><text x="{}" y="{}" fill="{INK}" font-size="10">{}</text>"#,
            c(f.left),
            c(y0),
            c(f.px(*v) - f.left),
            c(h),
            c(f.left - 6.0),
            c(y0 + h / 2.0 + 4.0),
            escape(&short_label(name)),
            c(f.px(*v) + 4.0),
            c(y0 + h / 2.0 + 4.0),
            fixed(*v, 3)
        );
    }
    s + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    #[test]
    fn nice_ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(0.0123, 0.0456, 6);
        assert!(t.first().is_some_and(|&v| v >= 0.0123));
        assert!(t.last().is_some_and(|&v| v <= 0.0456));
        assert!(t.len() >= 3, "{t:?}");
        assert_eq!(t, vec![0.02, 0.03, 0.04]);
        assert_eq!(tick_decimals(&t), 2);
        assert_eq!(tick_decimals(&nice_ticks(0.0031, 0.0039, 5)), 4);
        assert_eq!(nice_ticks(2.0, 2.0, 5), vec![2.0]);
        assert_eq!(nice_ticks(f64::NAN, 1.0, 5), vec![0.0]);
        // Subnormal ranges (a model trained with learning_rate = 5e-324):
        // a few finite ticks inside the range, never a runaway loop. (How
        // many depends on how `powi` rounds subnormals, which differs
        // between optimization levels.)
        for (lo, hi) in [(0.0, 5e-324), (0.0, 1e-310), (-1e-320, 1e-320)] {
            let t = nice_ticks(lo, hi, 5);
            assert!(!t.is_empty() && t.len() <= 101, "{lo} {hi}: {t:?}");
            assert!(
                t.iter().all(|v| v.is_finite() && *v >= lo && *v <= hi),
                "{t:?}"
            );
        }
    }

    #[test]
    fn charts_are_single_svgs_with_escaped_labels() {
        let r = sample_report();
        let mut groups = r.fairness["female"].groups.clone();
        groups.insert("<b>&\"x\"".into(), groups["0"].clone());
        let svg = group_rates("sex <&>", &groups, None);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("Fairness: sex &lt;&amp;&gt;"));
        assert!(svg.contains("&lt;b&gt;&amp;&quot;x&quot;"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn roc_and_latency_draw_their_data() {
        let r = sample_report();
        let curves = r
            .curves
            .as_ref()
            .map(|c| (c.roc.clone(), c.latency.clone()));
        let (points, hist) = curves.unwrap_or_default();
        let m = r.metrics.as_ref().map(|m| m.confusion).unwrap_or_default();
        let svg = roc(&points, Some(0.8421), &m, 0.5, None);
        assert!(svg.contains("ROC curve (AUC 0.8421)"));
        assert!(svg.contains("threshold 0.50"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        let hist = hist.unwrap_or_else(|| LatencyHistogram {
            edges_ms: vec![],
            counts: vec![],
            above: 0,
            max_ms: 0.0,
        });
        let svg = latency(&hist, [0.0123, 0.0456, 0.1]);
        assert!(svg.matches("<rect").count() >= hist.counts.len());
        assert!(svg.contains("p95 0.046 ms"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn stats_runs_draw_error_bars_and_a_roc_band() {
        let r = sample_report();
        let groups = &r.fairness["female"].groups;
        let plain = group_rates("female", groups, None);
        assert_eq!(plain.matches("<path").count(), 0);
        let with = group_rates("female", groups, Some(0.95));
        // Two groups, each with a selection rate and a TPR: four error bars.
        assert_eq!(with.matches("<path").count(), 4, "{with}");
        assert!(!with.contains("NaN"));
        // A group without positives has no TPR and so no TPR error bar.
        let mut one = groups.clone();
        if let Some(g) = one.get_mut("1") {
            g.positives = 0;
            g.tpr = None;
        }
        assert_eq!(
            group_rates("female", &one, Some(0.95))
                .matches("<path")
                .count(),
            3
        );

        let points = r.curves.as_ref().map(|c| c.roc.clone()).unwrap_or_default();
        let m = r.metrics.as_ref().map(|m| m.confusion).unwrap_or_default();
        assert!(!roc(&points, Some(0.84), &m, 0.5, None).contains("<polygon"));
        let band = roc(&points, Some(0.84), &m, 0.5, Some(0.95));
        assert_eq!(band.matches("<polygon").count(), 1);
        // The band has an upper and a lower end per ROC point.
        let polygon = band.split("<polygon points=\"").nth(1).unwrap_or_default();
        let coords = polygon.split('"').next().unwrap_or_default();
        assert_eq!(coords.split(' ').count(), 2 * points.len());
    }

    #[test]
    fn the_longest_importance_bar_ends_inside_the_axis() {
        let ranked = vec![("tenure".to_string(), 1.2674), ("x".to_string(), 0.5)];
        let svg = importance("log-odds", &ranked);
        // The plot spans x = 130 .. WIDTH - 20; no bar may reach past it.
        for w in svg.split("<rect x=\"130.0\" y=\"").skip(1) {
            let width: f64 = w
                .split("width=\"")
                .nth(1)
                .and_then(|t| t.split('"').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or(f64::NAN);
            assert!(width <= WIDTH - 20.0 - 130.0 + 1e-9, "{width}");
        }
        assert!(svg.contains(">1.5<"), "{svg}");
    }

    #[test]
    fn empty_inputs_explain_themselves() {
        let m = Confusion::default();
        assert!(roc(&[], None, &m, 0.5, Some(0.95)).contains("single class"));
        assert!(calibration(&[]).contains("no scored rows"));
        assert!(group_rates("a", &BTreeMap::new(), Some(0.95)).contains("no groups"));
        let empty = LatencyHistogram {
            edges_ms: vec![],
            counts: vec![],
            above: 0,
            max_ms: 0.0,
        };
        assert!(latency(&empty, [0.0; 3]).contains("no timed calls"));
        assert!(confusion(&m, 0.5).contains(">0<"));
    }
}
