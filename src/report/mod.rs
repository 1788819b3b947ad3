//! Rendering: every output format over one serde model of the run.
//! The rest of the tool never prints.
//!
//! `model` is the run (`report.json`); `json`, `table`, `markdown` and `card`
//! render it, one file per format; `num` and `summary` hold the number
//! formatting and the verdict sentence they share; `write` writes artifacts
//! atomically.
pub mod card;
pub mod compare;
pub mod json;
pub mod markdown;
pub mod model;
pub mod num;
pub mod registry_list;
pub mod summary;
pub mod table;
pub mod write;

#[cfg(test)]
pub(crate) mod sample;

pub use model::*;
pub use summary::verdict_line;
pub use write::write_atomic;

/// `--format` of `check` and `report`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Tables for a terminal or a CI log.
    Table,
    /// `report.json`, for machines.
    Json,
    /// GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` or a PR comment.
    Markdown,
}

/// Renders `r` in `format`; `color` only affects `Table`.
pub fn render(r: &Report, format: Format, color: bool) -> anyhow::Result<String> {
    match format {
        Format::Table => Ok(table::render(r, color)),
        Format::Json => json::render(r),
        Format::Markdown => Ok(markdown::render(r)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
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
    }
}
