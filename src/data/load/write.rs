//! Writing a table as Parquet (the per-row predictions of a large run),
//! a million rows at a time so no polars frame of the whole holds them.
use polars::prelude::{
    Column as PlColumn, DataFrame, DataType, FrozenCategories, NamedFrom, ParquetCompression,
    ParquetWriter, Series,
};
use std::path::Path;

/// Rows per batch (and Parquet row group).
const BATCH_ROWS: usize = 1 << 20;

/// One column's values.
pub enum OutValues<'a> {
    U64(&'a [u64]),
    U8(&'a [u8]),
    F64(&'a [f64]),
    /// `names[codes[i]]`, or null for a code past `names` (missing).
    Text {
        codes: &'a [u32],
        names: &'a [String],
    },
}

/// One named column to write.
pub struct OutColumn<'a> {
    pub name: &'a str,
    pub values: OutValues<'a>,
}

/// The Parquet dictionary type of a text column (an Enum of its names),
/// so its codes are written as they are, never hashed back from text.
/// `None` when the names are not distinct: then it is written as text.
fn enum_type(c: &OutColumn) -> Option<DataType> {
    let OutValues::Text { names, .. } = &c.values else {
        return None;
    };
    let cats = FrozenCategories::new(names.iter().map(String::as_str)).ok()?;
    Some(DataType::from_frozen_categories(cats))
}

fn batch(c: &OutColumn, dtype: Option<&DataType>, rows: std::ops::Range<usize>) -> PlColumn {
    let name = c.name.into();
    let s = match &c.values {
        OutValues::U64(v) => Series::new(name, &v[rows]),
        OutValues::U8(v) => Series::new(name, &v[rows]),
        OutValues::F64(v) => Series::new(name, &v[rows]),
        OutValues::Text { codes, names } => {
            let codes = &codes[rows];
            let as_enum = dtype.and_then(|dtype| {
                let ids: Vec<Option<u32>> = codes
                    .iter()
                    .map(|&c| ((c as usize) < names.len()).then_some(c))
                    .collect();
                let phys = DataType::from(dtype.cat_physical().ok()?);
                let ids = Series::new(name.clone(), ids).cast(&phys).ok()?;
                Series::from_cats_and_dtype(&ids, dtype, true).ok()
            });
            as_enum.unwrap_or_else(|| {
                let texts: Vec<Option<&str>> = codes
                    .iter()
                    .map(|&c| names.get(c as usize).map(String::as_str))
                    .collect();
                Series::new(name, texts)
            })
        }
    };
    PlColumn::from(s)
}

/// Writes `rows` rows of `columns` (each at least that long) to `path`,
/// Snappy-compressed (every Parquet reader reads it).
pub fn write_parquet(path: &Path, columns: &[OutColumn], rows: usize) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: cannot write: {e}", path.display());
    let types: Vec<Option<DataType>> = columns.iter().map(enum_type).collect();
    let frame = |range: std::ops::Range<usize>| {
        let cols = columns
            .iter()
            .zip(&types)
            .map(|(c, t)| batch(c, t.as_ref(), range.clone()))
            .collect();
        DataFrame::new(range.len(), cols).map_err(|e| fail(&e))
    };
    let file = std::fs::File::create(path).map_err(|e| fail(&e))?;
    let first = frame(0..rows.min(BATCH_ROWS))?;
    let mut writer = ParquetWriter::new(std::io::BufWriter::new(file))
        .with_compression(ParquetCompression::Snappy)
        .batched(first.schema())
        .map_err(|e| fail(&e))?;
    writer.write_batch(&first).map_err(|e| fail(&e))?;
    drop(first);
    let mut at = BATCH_ROWS;
    while at < rows {
        let df = frame(at..rows.min(at + BATCH_ROWS))?;
        writer.write_batch(&df).map_err(|e| fail(&e))?;
        at += BATCH_ROWS;
    }
    writer.finish().map_err(|e| fail(&e))?;
    Ok(())
}
