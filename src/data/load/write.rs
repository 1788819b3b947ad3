//! Writing a table as Parquet (the per-row predictions of a large run),
//! a million rows at a time so no polars frame of the whole holds them.
use polars::io::parquet::write::{get_encodings, StatisticsOptions};
use polars::prelude::SchemaExt as _;
use polars::prelude::{
    CategoricalPhysical, ChunkedArray, Column as PlColumn, CompatLevel, DataFrame, DataType,
    FrozenCategories, IntoSeries, NamedFrom, ParquetCompression, ParquetWriter, PlSmallStr,
    PolarsNumericType, Series, UInt16Type, UInt32Type, UInt8Type,
};
use polars_parquet::write::{
    array_to_columns, compress, CompressedPage, Encoding, ParquetType, Version, WriteOptions,
};
use std::path::Path;

mod pages;

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
                let n = names.len();
                // Every code fits the physical type: it has room for `n`.
                let ids = match dtype.cat_physical().ok()? {
                    CategoricalPhysical::U8 => physical::<UInt8Type>(&name, codes, n, |c| c as u8),
                    CategoricalPhysical::U16 => {
                        physical::<UInt16Type>(&name, codes, n, |c| c as u16)
                    }
                    CategoricalPhysical::U32 => physical::<UInt32Type>(&name, codes, n, |c| c),
                };
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

/// The codes of an Enum column as its physical type `T` (`to` converts a
/// code below `n`); codes from `n` on are missing (null).
fn physical<T: PolarsNumericType>(
    name: &PlSmallStr,
    codes: &[u32],
    n: usize,
    to: fn(u32) -> T::Native,
) -> Series {
    let valid = |c: u32| (c as usize) < n;
    let ids: ChunkedArray<T> = if codes.iter().all(|&c| valid(c)) {
        ChunkedArray::from_vec(name.clone(), codes.iter().map(|&c| to(c)).collect())
    } else {
        codes
            .iter()
            .map(|&c| valid(c).then(|| to(c)))
            .collect::<ChunkedArray<T>>()
            .with_name(name.clone())
    };
    ids.into_series()
}

/// Writes `rows` rows of `columns` (each at least that long) to `path`,
/// Snappy-compressed (every Parquet reader reads it).
///
/// polars' batched writer encodes and compresses a row group lazily, on
/// the one thread that writes it. Here each row group is encoded and
/// compressed whole on a worker, a window of them side by side, and the
/// finished pages are written in order: the same bytes, on every core.
pub fn write_parquet(path: &Path, columns: &[OutColumn], rows: usize) -> Result<(), String> {
    write_batches(path, columns, rows, BATCH_ROWS)
}

/// `columns` as polars frames of `batch_rows` rows at a time.
#[cfg(test)]
fn frames<'a>(
    columns: &'a [OutColumn],
    batch_rows: usize,
    fail: impl Fn(&dyn std::fmt::Display) -> String + Sync + 'a,
) -> impl Fn(usize, usize) -> Result<DataFrame, String> + Sync + 'a {
    let types: Vec<Option<DataType>> = columns.iter().map(enum_type).collect();
    move |at, rows| frame(columns, &types, at..rows.min(at + batch_rows)).map_err(|e| fail(&e))
}

/// `rows` of `columns` as a polars frame (`types`: their [`enum_type`]s).
fn frame(
    columns: &[OutColumn],
    types: &[Option<DataType>],
    rows: std::ops::Range<usize>,
) -> polars::prelude::PolarsResult<DataFrame> {
    let cols = columns
        .iter()
        .zip(types)
        .map(|(c, t)| batch(c, t.as_ref(), rows.clone()))
        .collect();
    DataFrame::new(rows.len(), cols)
}

fn write_batches(
    path: &Path,
    columns: &[OutColumn],
    rows: usize,
    batch_rows: usize,
) -> Result<(), String> {
    use rayon::prelude::*;
    let fail = |e: &dyn std::fmt::Display| format!("{}: cannot write: {e}", path.display());
    let types: Vec<Option<DataType>> = columns.iter().map(enum_type).collect();
    let file = std::fs::File::create(path).map_err(|e| fail(&e))?;
    let schema = frame(columns, &types, 0..0)
        .map_err(|e| fail(&e))?
        .schema()
        .clone();
    let compression = ParquetCompression::Snappy;
    let mut writer = ParquetWriter::new(std::io::BufWriter::new(file))
        .with_compression(compression)
        .batched(&schema)
        .map_err(|e| fail(&e))?;
    let encoder = Encoder {
        fields: writer.parquet_schema().fields().to_vec(),
        encodings: get_encodings(&schema.to_arrow(CompatLevel::newest())).to_vec(),
        options: WriteOptions {
            statistics: StatisticsOptions::default(),
            version: Version::V1,
            compression: compression.into(),
            data_page_size: None,
        },
    };
    let starts: Vec<usize> = (0..rows).step_by(batch_rows).collect();
    let window = rayon::current_num_threads().max(1);
    let encode = |starts: &[usize]| {
        starts
            .par_iter()
            .map(|&at| {
                let range = at..rows.min(at + batch_rows);
                encoder
                    .row_group(columns, &types, range)
                    .map_err(|e| fail(&e))
            })
            .collect::<Result<Vec<_>, String>>()
    };
    // Each window's row groups are written while the next window's are
    // encoded.
    let mut windows = starts.chunks(window);
    let mut done = windows.next().map(encode).transpose()?;
    while let Some(groups) = done {
        let (written, next) = rayon::join(
            || {
                for (n, pages) in &groups {
                    writer
                        .write_row_group(*n as u64, pages)
                        .map_err(|e| fail(&e))?;
                }
                Ok::<(), String>(())
            },
            || windows.next().map(encode).transpose(),
        );
        written?;
        done = next?;
    }
    writer.finish().map_err(|e| fail(&e))?;
    Ok(())
}

/// What polars' batched writer encodes a frame with (its schema's
/// Parquet types and encodings, the same options).
struct Encoder {
    fields: Vec<ParquetType>,
    encodings: Vec<Vec<Encoding>>,
    options: WriteOptions,
}

/// One row group: its rows, and each column's compressed pages.
type RowGroup = (usize, Vec<Vec<CompressedPage>>);

impl Encoder {
    /// `rows` of `columns` as one row group, encoded and compressed now:
    /// 0/1 and text columns as dictionary pages of their own
    /// ([`pages::dictionary_pages`]), row numbers that count up by one
    /// as deltas of their own ([`pages::counting_pages`]), numbers as
    /// plain pages of their own ([`pages::plain_pages`]), the others by
    /// polars.
    fn row_group(
        &self,
        columns: &[OutColumn],
        types: &[Option<DataType>],
        rows: std::ops::Range<usize>,
    ) -> Result<RowGroup, String> {
        let fail = |e: &dyn std::fmt::Display| format!("cannot encode Parquet: {e}");
        let mut out = Vec::with_capacity(columns.len());
        for (((c, t), field), encoding) in columns
            .iter()
            .zip(types)
            .zip(&self.fields)
            .zip(&self.encodings)
        {
            let direct =
                pages::dictionary_pages(&c.values, t.is_some(), rows.clone(), field, self.options)
                    .or_else(|| pages::counting_pages(&c.values, rows.clone(), field, self.options))
                    .or_else(|| pages::plain_pages(&c.values, rows.clone(), field, self.options));
            let leaves = match direct {
                Some(pages) => vec![pages.into_iter().map(Ok).collect::<Vec<_>>()],
                None => {
                    let series = batch(c, t.as_ref(), rows.clone());
                    let array = series
                        .as_materialized_series()
                        .rechunk()
                        .to_arrow(0, CompatLevel::newest());
                    let encoding = chosen_encoding(array.as_ref(), encoding);
                    array_to_columns(array, field.clone(), self.options, &encoding)
                        .map_err(|e| fail(&e))?
                        .into_iter()
                        .map(|leaf| leaf.collect::<Vec<_>>())
                        .collect()
                }
            };
            for leaf in leaves {
                let leaf = leaf
                    .into_iter()
                    .map(|page| {
                        let page = page.map_err(|e| fail(&e))?;
                        compress(page, Vec::new(), self.options.compression).map_err(|e| fail(&e))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                out.push(leaf);
            }
        }
        Ok((rows.len(), out))
    }
}

/// Values of a number column sampled by [`chosen_encoding`].
const SAMPLE: usize = 1024;

/// polars tries a dictionary for every number column. Past 128 values
/// of a float it first estimates the distinct values of the whole
/// (HyperLogLog), and writes it plain when more than 3 in 4 are distinct;
/// an integer column it writes plain when more than 2048 of its values,
/// and more than 3 in 4, are distinct. A column of 64-bit numbers whose
/// first [`SAMPLE`] values are already that distinct (scores of a
/// continuous model), and long enough, is written plain at once; unsigned
/// integers that ascend there (row numbers) as deltas, a few bits each.
fn chosen_encoding(array: &dyn polars_arrow::array::Array, given: &[Encoding]) -> Vec<Encoding> {
    use polars_arrow::array::PrimitiveArray;
    if array.null_count() > 0 || given != [Encoding::RleDictionary] {
        return given.to_vec();
    }
    let any = array.as_any();
    let (mut bits, least, ascending) = if let Some(a) = any.downcast_ref::<PrimitiveArray<f64>>() {
        let bits = a.values().iter().take(SAMPLE).map(|v| v.to_bits());
        (bits.collect::<Vec<u64>>(), LEAST_FLOATS, false)
    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<u64>>() {
        let bits: Vec<u64> = a.values().iter().take(SAMPLE).copied().collect();
        let ascending = bits.windows(2).all(|w| w[0] < w[1]);
        (bits, 2048, ascending)
    } else {
        return given.to_vec();
    };
    if array.len() <= least {
        return given.to_vec();
    }
    if ascending {
        return vec![Encoding::DeltaBinaryPacked];
    }
    if mostly_distinct(&mut bits, array.len()) {
        vec![Encoding::Plain]
    } else {
        given.to_vec()
    }
}

/// Whether more than 3 in 4 of `bits` (the first [`SAMPLE`] values of
/// `len`) are distinct: then polars would write them plain.
fn mostly_distinct(bits: &mut Vec<u64>, len: usize) -> bool {
    bits.sort_unstable();
    bits.dedup();
    4 * bits.len() > 3 * SAMPLE.min(len)
}

/// Past how many values a float column may be written plain at once.
const LEAST_FLOATS: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    /// The row groups encoded side by side are the bytes polars' own
    /// batched writer writes, batch by batch, on one thread, for the
    /// columns polars encodes (0/1 and Enum columns are written by
    /// `pages`, and tested there).
    #[test]
    fn parallel_row_groups_are_polars_own_bytes() {
        // Batches of numbers polars writes with a dictionary (2048 values
        // or fewer) and without one.
        for (n, batch) in [(2_500, 700), (7_000, 3_000)] {
            same_bytes_as_polars(n, batch);
        }
    }

    /// `columns` written by polars' own batched writer, `batch` rows at a
    /// time.
    pub(super) fn write_as_polars(path: &Path, columns: &[OutColumn], n: usize, batch: usize) {
        let frame = frames(columns, batch, |e| e.to_string());
        let file = std::fs::File::create(path).unwrap();
        let mut writer = ParquetWriter::new(std::io::BufWriter::new(file))
            .with_compression(ParquetCompression::Snappy)
            .batched(frame(0, 0).unwrap().schema())
            .unwrap();
        for at in (0..n).step_by(batch) {
            writer.write_batch(&frame(at, n).unwrap()).unwrap();
        }
        writer.finish().unwrap();
    }

    fn same_bytes_as_polars(n: usize, batch: usize) {
        // Distinct, not ascending (ascending ones are written as deltas).
        let row: Vec<u64> = (0..n).map(|i| (i * 7919 % n) as u64).collect();
        // Distinct: the first batch (a zero) by polars, the others by
        // `pages::plain_pages`, to the same bytes.
        let score: Vec<f64> = (0..n).map(|i| (i as f64 * 0.618).fract()).collect();
        // Few distinct scores (a small tree model): a dictionary pays.
        let few: Vec<f64> = (0..n).map(|i| (i % 7) as f64 / 7.0).collect();
        let same: Vec<String> = ["x", "x"].map(String::from).to_vec();
        let two: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let columns = [
            OutColumn {
                name: "row",
                values: OutValues::U64(&row),
            },
            OutColumn {
                name: "score",
                values: OutValues::F64(&score),
            },
            OutColumn {
                name: "few",
                values: OutValues::F64(&few),
            },
            // names that are not distinct: plain text.
            OutColumn {
                name: "h",
                values: OutValues::Text {
                    codes: &two,
                    names: &same,
                },
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours.parquet");
        write_batches(&ours, &columns, n, batch).unwrap();
        let theirs = dir.path().join("theirs.parquet");
        write_as_polars(&theirs, &columns, n, batch);
        let (ours, theirs) = (std::fs::read(ours).unwrap(), std::fs::read(theirs).unwrap());
        assert!(ours.len() > 10_000, "{} bytes", ours.len());
        assert!(ours == theirs, "the files differ");
        // No rows: a file with the schema and no row group.
        let empty = dir.path().join("empty.parquet");
        write_batches(&empty, &columns, 0, 700).unwrap();
        let meta =
            polars_parquet::read::read_metadata(&mut std::fs::File::open(&empty).unwrap()).unwrap();
        assert_eq!((meta.num_rows, meta.row_groups.len()), (0, 0));
    }

    /// Row numbers and continuous scores skip the dictionary attempt;
    /// few values, short batches and other types keep it.
    #[test]
    fn only_mostly_distinct_numbers_are_written_plain_at_once() {
        use polars_arrow::array::PrimitiveArray;
        let dict = [Encoding::RleDictionary];
        let rows = PrimitiveArray::<u64>::from_vec((0..5_000).collect());
        assert_eq!(chosen_encoding(&rows, &dict), [Encoding::DeltaBinaryPacked]);
        let shuffled =
            PrimitiveArray::<u64>::from_vec((0..5_000).map(|i| i * 7919 % 5_000).collect());
        assert_eq!(chosen_encoding(&shuffled, &dict), [Encoding::Plain]);
        let scores =
            PrimitiveArray::<f64>::from_vec((0..5_000).map(|i| (i as f64).sin()).collect());
        assert_eq!(chosen_encoding(&scores, &dict), [Encoding::Plain]);
        let few = PrimitiveArray::<f64>::from_vec((0..5_000).map(|i| (i % 700) as f64).collect());
        assert_eq!(chosen_encoding(&few, &dict), dict);
        let short = PrimitiveArray::<u64>::from_vec((0..2_000).collect());
        assert_eq!(chosen_encoding(&short, &dict), dict);
        let short = PrimitiveArray::<f64>::from_vec((0..100).map(f64::from).collect());
        assert_eq!(chosen_encoding(&short, &dict), dict);
        let small = PrimitiveArray::<u8>::from_vec((0..=255).collect());
        assert_eq!(chosen_encoding(&small, &dict), dict);
        let nulls = PrimitiveArray::<u64>::from(
            (0..500)
                .map(|i| (i % 2 == 0).then_some(i))
                .collect::<Vec<_>>(),
        );
        assert_eq!(chosen_encoding(&nulls, &dict), dict);
    }

    /// Ascending row numbers go as deltas (the last, short batch with a
    /// dictionary, as polars writes it), and read back as written.
    #[test]
    fn ascending_row_numbers_read_back_from_deltas() {
        let n = 5_000;
        // Rows left out (unlabelled) here and there: deltas of 1 and more.
        let row: Vec<u64> = (0..n as u64).map(|i| i + i / 7).collect();
        let score: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let columns = [
            OutColumn {
                name: "row",
                values: OutValues::U64(&row),
            },
            OutColumn {
                name: "score",
                values: OutValues::F64(&score),
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        write_batches(&path, &columns, n, 3_000).unwrap();
        let meta =
            polars_parquet::read::read_metadata(&mut std::fs::File::open(&path).unwrap()).unwrap();
        // Deltas: no dictionary page, and a few bytes (3000 plain values
        // are 24 kB).
        let row_chunk = |group: usize| {
            let c = &meta.row_groups[group].parquet_columns()[0];
            (c.dictionary_page_offset(), c.compressed_size())
        };
        assert!(matches!(row_chunk(0), (None, size) if size < 1_000));
        assert!(row_chunk(1).0.is_some());
        let t = crate::data::load::load(&path).unwrap().table;
        let Some(crate::data::Values::Num(back)) = t.column("row").map(|c| &c.values) else {
            panic!("row is not numbers");
        };
        let want: Vec<f64> = row.iter().map(|&r| r as f64).collect();
        assert_eq!(back, &want);
        let Some(crate::data::Values::Num(back)) = t.column("score").map(|c| &c.values) else {
            panic!("score is not numbers");
        };
        assert_eq!(back, &score);
    }
}
