//! Parquet files into a polars frame: the types this build reads, and the
//! checks that keep a malformed file an error (exit 2) rather than a panic
//! or an abort inside polars.
use crate::data::table::{Column, Table};
use polars::prelude::{ArrowDataType, ArrowField, DataFrame, ParquetReader, SerReader};
use polars_arrow::array::DictionaryArray;
use rayon::prelude::*;
use std::io::Cursor;

/// A Parquet file as read.
pub(super) struct ParquetRead {
    /// The columns polars read.
    pub df: DataFrame,
    /// The dictionary-encoded text columns read as codes ([`super::dict`]),
    /// each row group's dictionary and indices.
    pub coded: Vec<(String, Vec<DictionaryArray<u32>>)>,
    /// Every column read, in file order.
    pub order: Vec<String>,
    /// The file's rows.
    pub rows: usize,
    /// The (name, kind) of the date/time columns left out (this build of
    /// polars cannot read them).
    pub skipped: Vec<(String, &'static str)>,
}

pub(super) fn read_parquet(bytes: &[u8]) -> Result<ParquetRead, String> {
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
    let meta = reader
        .get_metadata()
        .map_err(|e| format!("cannot read Parquet: {e}"))?
        .clone();
    let text: Vec<&String> = kept
        .iter()
        .filter(|k| schema.get(k.as_str()).is_some_and(plain_text))
        .collect();
    let coded: Vec<(String, Vec<DictionaryArray<u32>>)> = text
        .par_iter()
        .filter_map(|name| {
            Some((
                (*name).clone(),
                super::dict::read_codes(bytes, &meta, name)?,
            ))
        })
        .collect();
    let rest: Vec<String> = kept
        .iter()
        .filter(|k| !coded.iter().any(|(c, _)| c == *k))
        .cloned()
        .collect();
    let df = if rest.is_empty() {
        DataFrame::empty()
    } else {
        if !skipped.is_empty() || !coded.is_empty() {
            reader = reader.with_columns(Some(rest));
        }
        // The allowlist above is the rule; a polars panic on a file that
        // passed it is still an error ([`finish`]).
        finish(reader)?
    };
    Ok(ParquetRead {
        df,
        coded,
        order: kept,
        rows: meta.num_rows,
        skipped,
    })
}

/// A Parquet file's columns, in file order: those polars read, and the
/// text columns read as dictionary codes.
pub(super) fn into_table(read: ParquetRead) -> Result<Table, String> {
    let (table, coded) = rayon::join(
        || super::to_table(&read.df),
        || {
            read.coded
                .par_iter()
                .map(|(name, groups)| super::dict::coded_column(name, groups))
                .collect::<Vec<_>>()
        },
    );
    let mut table = table?;
    if read.coded.is_empty() {
        return Ok(table);
    }
    let mut columns: Vec<Option<Column>> = table.columns.drain(..).map(Some).collect();
    for c in coded {
        columns.push(Some(c?));
    }
    for name in &read.order {
        if let Some(c) = columns
            .iter_mut()
            .find(|c| c.as_ref().is_some_and(|c| &c.name == name))
        {
            table.columns.extend(c.take());
        }
    }
    if read.df.width() == 0 {
        table.n_rows = read.rows;
    }
    Ok(table)
}

/// polars alone reading every column of a Parquet file, as it reads them
/// (the baseline of the benchmarks).
pub(super) fn polars_only(bytes: &[u8]) -> Result<DataFrame, String> {
    finish(ParquetReader::new(Cursor::new(bytes)))
}

/// polars' read of the columns `reader` selects; a polars panic is an
/// error (exit 2), never exit 101.
fn finish(reader: ParquetReader<Cursor<&[u8]>>) -> Result<DataFrame, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.finish())) {
        Ok(r) => r.map_err(|e| format!("cannot read Parquet: {e}")),
        Err(_) => Err("cannot read Parquet: the reader failed on this file".into()),
    }
}

/// A plain text column (not one polars itself marks as categorical).
fn plain_text(f: &ArrowField) -> bool {
    matches!(
        f.dtype,
        ArrowDataType::Utf8View | ArrowDataType::Utf8 | ArrowDataType::LargeUtf8
    ) && f
        .metadata
        .as_ref()
        .is_none_or(|m| !m.keys().any(|k| k.starts_with("_PL_")))
}

/// Checks every page header's counts before polars decodes the pages.
/// polars 0.55.2 casts a page's value count (an i32) to `usize` unchecked
/// and allocates by it: a data page claiming -1 values, or a dictionary
/// page claiming 2^31 - 1, asked for gigabytes to exabytes and aborted the
/// process (exit 134, found by fuzzing), which no `catch_unwind` can turn
/// into exit 2. Each column chunk's headers are read with the format's
/// own Thrift reader; counts must be non-negative and within the chunk's
/// values (a dictionary's entries within them or its page's bytes), a
/// page's rows within its row group's, sizes non-negative, within the
/// file and at most [`MAX_PAGE_BYTES`] uncompressed. What cannot be parsed is left to polars' own error.
fn check_page_headers(bytes: &[u8]) -> Result<(), String> {
    use polars_parquet::parquet::read::read_metadata;
    use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
    use polars_parquet_format::{PageHeader, PageType};
    let read = std::panic::catch_unwind(|| read_metadata(&mut Cursor::new(bytes)));
    let Ok(Ok(meta)) = read else {
        return Ok(());
    };
    for (g, group) in meta.row_groups.iter().enumerate() {
        let rows = i64::try_from(group.num_rows()).unwrap_or(i64::MAX);
        for chunk in group.parquet_columns() {
            let name = chunk.descriptor().path_in_schema.join(".");
            let bad = |what: String| {
                format!(
                    "cannot read Parquet: column {name:?} (row group {g}) {what} (the file is corrupt)"
                )
            };
            let total = chunk.num_values();
            if total < 0 {
                return Err(bad(format!("claims {total} values")));
            }
            let range = chunk.byte_range();
            let end = usize::try_from(range.end).map_or(bytes.len(), |e| e.min(bytes.len()));
            let mut pos = usize::try_from(range.start).unwrap_or(usize::MAX);
            let mut seen: i64 = 0;
            while seen < total && pos < end {
                let mut rest = &bytes[pos..end];
                let before = rest.len();
                let parsed = {
                    let mut prot = TCompactInputProtocol::new(&mut rest, before);
                    PageHeader::read_from_in_protocol(&mut prot)
                };
                let Ok(h) = parsed else {
                    break;
                };
                let size = h.compressed_page_size;
                let unpacked = h.uncompressed_page_size;
                if size < 0
                    || size as usize > rest.len()
                    || !(0..=MAX_PAGE_BYTES).contains(&unpacked)
                {
                    return Err(bad(format!(
                        "has a page of {size} bytes ({unpacked} uncompressed)"
                    )));
                }
                let (values, nulls, page_rows, levels) = match h.type_ {
                    PageType::DATA_PAGE => match &h.data_page_header {
                        Some(d) => (d.num_values, 0, 0, 0),
                        None => break,
                    },
                    PageType::DATA_PAGE_V2 => match &h.data_page_header_v2 {
                        Some(d) => (
                            d.num_values,
                            d.num_nulls,
                            d.num_rows,
                            d.definition_levels_byte_length
                                .min(d.repetition_levels_byte_length),
                        ),
                        None => break,
                    },
                    PageType::DICTIONARY_PAGE => {
                        let entries = h
                            .dictionary_page_header
                            .as_ref()
                            .map_or(0, |d| d.num_values);
                        // An entry takes at least 4 bytes of the page
                        // (a length, or a number): pandas and polars write
                        // every category, even with fewer values.
                        let most = total.max(i64::from(unpacked) / 4);
                        if !(0..=most).contains(&i64::from(entries)) {
                            return Err(bad(format!(
                                "has a dictionary of {entries} entries for {total} values"
                            )));
                        }
                        (0, 0, 0, 0)
                    }
                    _ => (0, 0, 0, 0),
                };
                seen += i64::from(values.max(0));
                let fits = values >= 0
                    && (0..=values).contains(&nulls)
                    && (0..=rows).contains(&i64::from(page_rows))
                    && levels >= 0
                    && seen <= total;
                if !fits {
                    return Err(bad(format!(
                        "has a page of {values} values ({nulls} null, {page_rows} rows) in a \
                         chunk of {total} values"
                    )));
                }
                pos += (before - rest.len()) + size as usize;
            }
        }
    }
    Ok(())
}

/// The largest uncompressed page read (1 GiB; writers default to 1 MiB).
const MAX_PAGE_BYTES: i32 = 1 << 30;

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
