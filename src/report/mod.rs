//! Rendering: every output format over one serde model of the run.
//! The rest of the tool never prints.
//!
//! The run (`report.json`) is `crate::domain::Report`; `json`, `table`, `markdown`, `junit`,
//! `html` and `card` render it, one file per format (`svg` draws the HTML
//! charts); `summary` holds the verdict sentence they share; `xml` escapes for JUnit/HTML/SVG.
pub mod card;
pub mod compare;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod registry_list;
pub mod sections;
pub mod summary;
pub mod svg;
pub mod table;
pub mod xml;

#[cfg(test)]
pub(crate) mod sample;

pub use crate::atomic::write_atomic;
pub use crate::domain::num;
pub use crate::domain::*;
pub use summary::verdict_line;

/// `--format` of `check` and `report`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Tables for a terminal or a CI log.
    Table,
    /// `report.json`, for machines.
    Json,
    /// GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` or a PR comment.
    Markdown,
    /// JUnit XML: one testcase per gate plus the data contract, for CI test views.
    Junit,
    /// The self-contained `report.html` page (inline CSS and SVG charts).
    Html,
}

/// Renders `r` in `format`; `color` only affects `Table`.
pub fn render(r: &Report, format: Format, color: bool) -> anyhow::Result<String> {
    match format {
        Format::Table => Ok(table::render(r, color)),
        Format::Json => json::render(r),
        Format::Markdown => Ok(markdown::render(r)),
        Format::Junit => Ok(junit::render(r)),
        Format::Html => Ok(html::render(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_every_format() {
        let r = sample::sample_report();
        let json = render(&r, Format::Json, false).unwrap();
        assert!(json.contains("\"schema_version\": 1"));
        let md = render(&r, Format::Markdown, false).unwrap();
        assert!(md.starts_with("## release-gate"));
        let table = render(&r, Format::Table, false).unwrap();
        assert!(table.contains("NO-GO: 2 of 3 blocking gates failed"));
        assert!(!table.contains('\u{1b}'), "no colour codes without colour");
        let junit = render(&r, Format::Junit, false).unwrap();
        assert!(junit.starts_with("<?xml"));
        let html = render(&r, Format::Html, false).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
    }
}
