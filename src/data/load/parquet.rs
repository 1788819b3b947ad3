//! Parquet files into a polars frame: the types this build reads, and the
//! checks that keep a malformed file an error (exit 2) rather than a panic
//! or an abort inside polars.
use polars::prelude::{ArrowDataType, DataFrame, ParquetReader, SerReader};
use std::io::Cursor;

/// A Parquet file's frame, and the (name, kind) of the date/time columns left
/// out (this build of polars cannot read them).
type ParquetFrame = (DataFrame, Vec<(String, &'static str)>);

pub(super) fn read_parquet(bytes: &[u8]) -> Result<ParquetFrame, String> {
    check_page_headers(bytes)?;
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    // polars' metadata parser panics on some malformed footers (found by
    // fuzzing): an error (exit 2), never exit 101.
    let schema = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.schema()))
        .map_err(|_| "cannot read Parquet: the file's metadata is malformed".to_string())?
        .map_err(|e| format!("cannot read Parquet: {e}"))?;
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for field in schema.iter_values() {
        let name = field.name.to_string();
        // Name a nested column before polars fails on it with a type dump.
        if let Some(kind) = nested_kind(&field.dtype) {
            return Err(format!(
                "column {name:?} has unsupported type {kind}; use integer, float, boolean or text columns"
            ));
        }
        match temporal_kind(&field.dtype) {
            Some(kind) => skipped.push((name, kind)),
            None if readable(&field.dtype) => kept.push(name),
            None => {
                return Err(format!(
                    "column {name:?} has unsupported Parquet type {:?}; use integer, float, \
                     decimal, boolean or text columns",
                    field.dtype
                ))
            }
        }
    }
    if !skipped.is_empty() {
        reader = reader.with_columns(Some(kept));
    }
    // The allowlist above is the rule; a polars panic on a file that passed
    // it is still an error (exit 2), never exit 101.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.finish()));
    let df = match read {
        Ok(r) => r.map_err(|e| format!("cannot read Parquet: {e}"))?,
        Err(_) => return Err("cannot read Parquet: the reader failed on this file".into()),
    };
    Ok((df, skipped))
}

/// Checks every data page header's counts before polars decodes the pages.
/// polars 0.55.2 casts a page's `num_values` (an i32) to `usize` unchecked:
/// a negative count asked for an exabyte and aborted the process (exit
/// 134, found by fuzzing), which no `catch_unwind` can turn into exit 2.
/// Counts must be non-negative, a page's values within its column chunk's,
/// and a v2 page's nulls and rows within its values and row group. A file
/// whose metadata cannot be read is left to polars' own error.
fn check_page_headers(bytes: &[u8]) -> Result<(), String> {
    use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
    use polars_parquet::parquet::read::{get_page_iterator, read_metadata};
    let bad = |what: String| format!("cannot read Parquet: {what} (the file is corrupt)");
    let read = std::panic::catch_unwind(|| read_metadata(&mut Cursor::new(bytes)));
    let Ok(Ok(meta)) = read else {
        return Ok(());
    };
    let buffer = polars_buffer::Buffer::from_vec(bytes.to_vec());
    for (g, group) in meta.row_groups.iter().enumerate() {
        for chunk in group.parquet_columns() {
            let name = chunk.descriptor().path_in_schema.join(".");
            let total = chunk.num_values();
            if total < 0 {
                return Err(bad(format!(
                    "column {name:?} has {total} values in row group {g}"
                )));
            }
            let pages =
                get_page_iterator(chunk, Cursor::new(buffer.clone()), Vec::new(), bytes.len())
                    .map_err(|e| bad(format!("column {name:?}: {e}")))?;
            let mut seen: i64 = 0;
            for page in pages {
                let page = page.map_err(|e| bad(format!("column {name:?}: {e}")))?;
                let CompressedPage::Data(page) = page else {
                    continue;
                };
                let (values, nulls, rows) = match page.header() {
                    DataPageHeader::V1(h) => (h.num_values, 0, 0),
                    DataPageHeader::V2(h) => {
                        if h.definition_levels_byte_length < 0
                            || h.repetition_levels_byte_length < 0
                        {
                            return Err(bad(format!(
                                "column {name:?} has a page of negative level length"
                            )));
                        }
                        (h.num_values, h.num_nulls, h.num_rows)
                    }
                };
                seen += i64::from(values.max(0));
                let fits = values >= 0
                    && (0..=values).contains(&nulls)
                    && rows >= 0
                    && rows as usize <= group.num_rows()
                    && seen <= total;
                if !fits {
                    return Err(bad(format!(
                        "column {name:?} has a page of {values} values ({nulls} null, {rows} rows) \
                         in a chunk of {total} values"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Arrow types this build reads: every primitive number (small integers
/// and float16 widened, decimals as floats), booleans, text, nulls and
/// dictionary-encoded text.
fn readable(t: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    match t {
        A::Null | A::Boolean => true,
        A::Int8 | A::Int16 | A::Int32 | A::Int64 => true,
        A::UInt8 | A::UInt16 | A::UInt32 | A::UInt64 => true,
        A::Float16 | A::Float32 | A::Float64 => true,
        A::Decimal32(..) | A::Decimal64(..) => true,
        // polars holds decimals in 128 bits: up to 38 digits.
        A::Decimal(p, _) | A::Decimal256(p, _) => *p <= 38,
        A::Utf8 | A::LargeUtf8 | A::Utf8View => true,
        A::Dictionary(_, values, _) => readable(values),
        A::Extension(e) => readable(&e.inner),
        _ => false,
    }
}

/// The kind of a date/time Arrow type.
fn temporal_kind(t: &ArrowDataType) -> Option<&'static str> {
    use ArrowDataType as A;
    match t {
        A::Timestamp(..) | A::Date64 => Some("timestamp"),
        A::Date32 => Some("date"),
        A::Time32(_) | A::Time64(_) => Some("time"),
        A::Duration(_) | A::Interval(_) => Some("duration"),
        A::Extension(e) => temporal_kind(&e.inner),
        _ => None,
    }
}

/// The kind of a nested Arrow type (dictionary-encoded text is not nested).
fn nested_kind(t: &ArrowDataType) -> Option<&'static str> {
    use ArrowDataType as A;
    match t {
        A::List(_) | A::LargeList(_) | A::FixedSizeList(..) => Some("list"),
        A::Struct(_) => Some("struct"),
        A::Map(..) => Some("map"),
        A::Union(_) => Some("union"),
        A::Extension(e) => nested_kind(&e.inner),
        _ => None,
    }
}
