//! Columns of few values (0/1 labels and predictions, protected groups)
//! written as Parquet dictionary pages straight from their values.
//!
//! polars finds such a column's dictionary again for every row group
//! (a minimum and maximum pass, a bitmap of the values seen, a key per row)
//! and then encodes each key through a general run-length encoder that
//! decides value by value; on 20M rows that was about a tenth of a
//! scores run. Here the keys are known (a 0/1 column's values, a text
//! column's codes) and are written in Parquet's RLE/bit-packing hybrid a
//! group of eight at a time: runs of one value as one repeated value,
//! the rest bit-packed. Every Parquet reader reads the pages: they are
//! the format's own dictionary encoding (a dictionary page, then data
//! pages of `RLE_DICTIONARY` keys), with each page's min, max and null
//! count.
use super::OutValues;
use polars_parquet::parquet::encoding::Encoding;
use polars_parquet::parquet::metadata::Descriptor;
use polars_parquet::parquet::page::{DataPage, DataPageHeader, DataPageHeaderV1, DictPage, Page};
use polars_parquet::parquet::schema::types::{PhysicalType, PrimitiveType};
use polars_parquet::parquet::schema::Repetition;
use polars_parquet::parquet::statistics::{BinaryStatistics, PrimitiveStatistics};
use polars_parquet::parquet::CowBuffer;
use polars_parquet::write::{ParquetType, Version, WriteOptions};
use std::ops::Range;

/// Rows per data page at most.
const PAGE_ROWS: usize = 1 << 20;
/// Rows per plain page of numbers: a megabyte, as polars writes them (a
/// page of a million numbers is allocated, compressed and freed in pieces
/// so large that the allocator hands each back to the kernel).
const PLAIN_PAGE_ROWS: usize = 1 << 17;
/// Values per bit-packed run at most (as polars writes them).
const PACKED_RUN: usize = 8192;
/// Equal values from which they are written as one repeated value.
const REPEAT_RUN: usize = 64;

/// A key that stands for a missing value.
const MISSING: u32 = u32::MAX;

/// A column's dictionary: its page, and each row's key (or [`MISSING`]).
struct Keys {
    dictionary: DictPage,
    keys: Vec<u32>,
    /// The largest key there may be.
    most: u32,
}

/// The pages of `rows` of a 0/1 column or a text column of distinct names
/// (`enum_names`, its Parquet dictionary type), written as a dictionary;
/// `None` for any other column (polars writes it) or options these pages
/// do not follow.
pub fn dictionary_pages(
    values: &OutValues,
    enum_names: bool,
    rows: Range<usize>,
    field: &ParquetType,
    options: WriteOptions,
) -> Option<Vec<Page>> {
    let ParquetType::PrimitiveType(type_) = field else {
        return None;
    };
    if options.version != Version::V1 || rows.is_empty() {
        return None;
    }
    let optional = type_.field_info.repetition == Repetition::Optional;
    // The physical types these pages are written for (as polars maps a
    // UInt8 and an Enum); any other is left to polars.
    let (keys, stats): (Keys, Stats) = match (values, type_.physical_type) {
        (OutValues::U8(v), PhysicalType::Int32) => small_numbers(&v[rows]),
        (OutValues::Text { codes, names }, PhysicalType::ByteArray) if enum_names => {
            text(&codes[rows], names)
        }
        _ => return None,
    };
    let width = bit_width(keys.most);
    let mut pages = vec![Page::Dict(keys.dictionary)];
    for page in keys.keys.chunks(PAGE_ROWS) {
        let (nulls, seen) = scan(page, keys.most);
        if nulls > 0 && !optional {
            return None;
        }
        let mut buffer = if nulls == 0 {
            all_present(optional, page.len(), 0)
        } else {
            with_levels(optional, 0, |buffer| {
                let levels: Vec<u32> = page.iter().map(|&k| u32::from(k != MISSING)).collect();
                hybrid(buffer, &levels, 1);
            })
        };
        buffer.push(width as u8);
        if nulls == 0 {
            hybrid(&mut buffer, page, width);
        } else {
            let present: Vec<u32> = page.iter().copied().filter(|&k| k != MISSING).collect();
            hybrid(&mut buffer, &present, width);
        }
        let statistics = stats.of(type_, &seen, nulls);
        pages.push(data_page(
            type_,
            Encoding::RleDictionary,
            buffer,
            page.len(),
            options.has_statistics().then_some(statistics),
        ));
    }
    Some(pages)
}

/// Deltas per block of [`counting_pages`] (a multiple of 128), and the
/// miniblocks it is cut into (of 32 deltas each).
const DELTA_BLOCK: usize = 128;
const MINIBLOCKS: usize = 4;

/// The pages of `rows` of a column of row numbers that count up by one
/// (every row of the data, in order), as Parquet INT64: each page's
/// DELTA_BINARY_PACKED values are its first number, then blocks whose
/// every delta is 1 (the block's minimum) and takes no bits. `None` for
/// any other column (polars writes it, deltas in bits).
pub fn counting_pages(
    values: &OutValues,
    rows: Range<usize>,
    field: &ParquetType,
    options: WriteOptions,
) -> Option<Vec<Page>> {
    let OutValues::U64(v) = values else {
        return None;
    };
    let type_ = primitive(field, PhysicalType::Int64, options, &rows)?;
    let v = &v[rows];
    let counting = v.windows(2).all(|w| w[0].checked_add(1) == Some(w[1]));
    // Signed 64-bit numbers, as the column's statistics hold them.
    let last = i64::try_from(*v.last()?).ok()?;
    if !counting || last < 0 {
        return None;
    }
    let optional = type_.field_info.repetition == Repetition::Optional;
    let pages = v
        .chunks(PAGE_ROWS)
        .map(|page| {
            let first = page[0] as i64;
            let mut buffer = all_present(optional, page.len(), 0);
            // Header: block size, miniblocks per block, values, first
            // value (zigzag); then per block the minimum delta (1, zigzag
            // 2) and each miniblock's bit width (0, so no bits follow).
            varint(&mut buffer, DELTA_BLOCK as u64);
            varint(&mut buffer, MINIBLOCKS as u64);
            varint(&mut buffer, page.len() as u64);
            varint(&mut buffer, (first as u64) << 1); // zigzag of first >= 0
            for _ in 0..(page.len() - 1).div_ceil(DELTA_BLOCK) {
                buffer.push(2);
                buffer.extend([0; MINIBLOCKS]);
            }
            let statistics = PrimitiveStatistics::<i64> {
                primitive_type: type_.clone(),
                null_count: Some(0),
                distinct_count: None,
                min_value: Some(first),
                max_value: Some(first + page.len() as i64 - 1),
            }
            .serialize();
            data_page(
                type_,
                Encoding::DeltaBinaryPacked,
                buffer,
                page.len(),
                options.has_statistics().then_some(statistics),
            )
        })
        .collect();
    Some(pages)
}

/// `field`'s type when it is `physical`, the options are V1's and there
/// are rows to write.
fn primitive<'a>(
    field: &'a ParquetType,
    physical: PhysicalType,
    options: WriteOptions,
    rows: &Range<usize>,
) -> Option<&'a PrimitiveType> {
    match field {
        ParquetType::PrimitiveType(t)
            if t.physical_type == physical
                && options.version == Version::V1
                && !rows.is_empty() =>
        {
            Some(t)
        }
        _ => None,
    }
}

/// A page buffer with room for `bytes` more, begun with the definition
/// levels of `rows` values all present when the column is `optional`.
fn all_present(optional: bool, rows: usize, bytes: usize) -> Vec<u8> {
    with_levels(optional, bytes, |buffer| repeated(buffer, rows, 1, 1))
}

/// A page buffer with room for `bytes` more, begun (when the column is
/// `optional`) with the definition levels `levels` writes (1: present),
/// after their byte length.
fn with_levels(optional: bool, bytes: usize, levels: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(16 + bytes);
    if optional {
        buffer.extend([0; 4]);
        levels(&mut buffer);
        let length = (buffer.len() - 4) as u32;
        buffer[..4].copy_from_slice(&length.to_le_bytes());
    }
    buffer
}

/// The pages of `rows` of a column of numbers (scores) as Parquet DOUBLE,
/// PLAIN: each value's eight bytes, with the page's min, max and null
/// count. `None` for any other column, or one holding a NaN or a zero
/// (whose statistics polars' writer is left to spell).
pub fn plain_pages(
    values: &OutValues,
    rows: Range<usize>,
    field: &ParquetType,
    options: WriteOptions,
) -> Option<Vec<Page>> {
    let OutValues::F64(v) = values else {
        return None;
    };
    let type_ = primitive(field, PhysicalType::Double, options, &rows)?;
    let v = &v[rows];
    // Only what polars writes plain ([`super::chosen_encoding`]).
    let mut sample: Vec<u64> = v.iter().take(super::SAMPLE).map(|x| x.to_bits()).collect();
    if v.len() <= super::LEAST_FLOATS || !super::mostly_distinct(&mut sample, v.len()) {
        return None;
    }
    // One pass without an early exit (it vectorises).
    if v.iter()
        .fold(false, |bad, &x| bad | x.is_nan() | (x == 0.0))
    {
        return None;
    }
    let extremes = |page: &[f64]| {
        page.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            })
    };
    let optional = type_.field_info.repetition == Repetition::Optional;
    let pages = v
        .chunks(PLAIN_PAGE_ROWS)
        .map(|page| {
            let mut buffer = all_present(optional, page.len(), 8 * page.len());
            let from = buffer.len();
            buffer.resize(from + 8 * page.len(), 0);
            for (to, x) in buffer[from..].chunks_exact_mut(8).zip(page) {
                to.copy_from_slice(&x.to_le_bytes());
            }
            let (min, max) = extremes(page);
            let statistics = PrimitiveStatistics::<f64> {
                primitive_type: type_.clone(),
                null_count: Some(0),
                distinct_count: None,
                min_value: Some(min),
                max_value: Some(max),
            }
            .serialize();
            data_page(
                type_,
                Encoding::Plain,
                buffer,
                page.len(),
                options.has_statistics().then_some(statistics),
            )
        })
        .collect();
    Some(pages)
}

/// A V1 data page of `rows` values of `type_` (`buffer`: their
/// definition levels, if any, then the values in `encoding`).
fn data_page(
    type_: &PrimitiveType,
    encoding: Encoding,
    buffer: Vec<u8>,
    rows: usize,
    statistics: Option<polars_parquet::parquet::statistics::ParquetStatistics>,
) -> Page {
    let header = DataPageHeader::V1(DataPageHeaderV1 {
        num_values: rows as i32,
        encoding: encoding.into(),
        definition_level_encoding: Encoding::Rle.into(),
        repetition_level_encoding: Encoding::Rle.into(),
        statistics,
    });
    let descriptor = Descriptor {
        primitive_type: type_.clone(),
        max_def_level: 0,
        max_rep_level: 0,
    };
    Page::Data(DataPage::new(
        header,
        CowBuffer::Owned(buffer),
        descriptor,
        rows,
    ))
}

/// How a page's minimum and maximum are found from its keys.
enum Stats<'a> {
    /// Key `k` stands for `values[k]` (Parquet INT32).
    Numbers(Vec<i32>),
    /// Key `k` stands for `names[k]` (Parquet BYTE_ARRAY).
    Names(&'a [String]),
}

impl Stats<'_> {
    /// The statistics of a page that holds the keys `seen` and `nulls`
    /// missing values ([`scan`]).
    fn of(
        &self,
        type_: &PrimitiveType,
        seen: &[bool],
        nulls: usize,
    ) -> polars_parquet::parquet::statistics::ParquetStatistics {
        let present = || seen.iter().enumerate().filter(|(_, &s)| s).map(|(k, _)| k);
        match self {
            Stats::Numbers(values) => PrimitiveStatistics::<i32> {
                primitive_type: type_.clone(),
                null_count: Some(nulls as i64),
                distinct_count: None,
                min_value: present().map(|k| values[k]).min(),
                max_value: present().map(|k| values[k]).max(),
            }
            .serialize(),
            Stats::Names(names) => {
                let bytes = || present().map(|k| names[k].as_bytes());
                BinaryStatistics {
                    primitive_type: type_.clone(),
                    null_count: Some(nulls as i64),
                    distinct_count: None,
                    min_value: bytes().min().map(<[u8]>::to_vec),
                    max_value: bytes().max().map(<[u8]>::to_vec),
                }
                .serialize()
            }
        }
    }
}

/// A page's missing keys, and which keys up to `most` it holds, in one
/// pass (the dictionary is small next to the page).
fn scan(page: &[u32], most: u32) -> (usize, Vec<bool>) {
    let mut seen = vec![false; most as usize + 1];
    let mut nulls = 0;
    for &k in page {
        if k == MISSING {
            nulls += 1;
        } else if let Some(s) = seen.get_mut(k as usize) {
            *s = true;
        }
    }
    (nulls, seen)
}

/// A `u8` column (0/1): its values seen, ascending, as the dictionary.
fn small_numbers(v: &[u8]) -> (Keys, Stats<'static>) {
    let mut seen = [false; 256];
    v.iter().for_each(|&x| seen[x as usize] = true);
    let values: Vec<i32> = (0..=255).filter(|&x| seen[x as usize]).collect();
    let mut key = [0u32; 256];
    for (k, &x) in values.iter().enumerate() {
        key[x as usize] = k as u32;
    }
    let mut page = Vec::with_capacity(4 * values.len());
    values
        .iter()
        .for_each(|x| page.extend_from_slice(&x.to_le_bytes()));
    let keys = Keys {
        // Ascending, though polars-parquet writes no sorted flag.
        dictionary: DictPage::new(CowBuffer::Owned(page), values.len(), false),
        keys: v.iter().map(|&x| key[x as usize]).collect(),
        most: values.len().saturating_sub(1) as u32,
    };
    (keys, Stats::Numbers(values))
}

/// A text column: every name, in code order, as the dictionary (as polars
/// writes an Enum); a code past the names is missing.
fn text<'a>(codes: &[u32], names: &'a [String]) -> (Keys, Stats<'a>) {
    let mut page = Vec::new();
    for name in names {
        page.extend_from_slice(&(name.len() as u32).to_le_bytes());
        page.extend_from_slice(name.as_bytes());
    }
    let n = names.len() as u32;
    let keys = Keys {
        dictionary: DictPage::new(CowBuffer::Owned(page), names.len(), false),
        keys: codes
            .iter()
            .map(|&c| if c < n { c } else { MISSING })
            .collect(),
        most: n.saturating_sub(1),
    };
    (keys, Stats::Names(names))
}

/// Bits a key up to `most` takes (at least 1).
fn bit_width(most: u32) -> u32 {
    (32 - most.leading_zeros()).max(1)
}

/// A run header: Parquet's unsigned LEB128 varint (polars-parquet's).
fn varint(out: &mut Vec<u8>, x: u64) {
    let mut bytes = [0u8; 10];
    let used = polars_parquet::parquet::encoding::uleb128::encode(x, &mut bytes);
    out.extend_from_slice(&bytes[..used]);
}

/// `values` (each below `2^width`) in Parquet's RLE/bit-packing hybrid.
/// Walked a group of eight at a time from the last run's end: a group
/// that begins at least [`REPEAT_RUN`] equal values is written as one
/// repeated value; the groups before it are bit-packed. Only the last
/// group of all may be short (its padding is past the page's values).
fn hybrid(out: &mut Vec<u8>, values: &[u32], width: u32) {
    let n = values.len();
    out.reserve(n.div_ceil(8) * width as usize + 16);
    let (mut at, mut packed_from) = (0, 0);
    // Fewer than eight values left begin no run of REPEAT_RUN.
    while at + 8 <= n {
        let v = values[at];
        // A group whose eight values are not all equal begins no run: it
        // is told by one comparison of the group, without a branch per
        // value (0/1 labels change every few rows).
        if values[at..at + 8].iter().fold(0, |acc, &x| acc | (x ^ v)) != 0 {
            at += 8;
            continue;
        }
        let mut end = at + 8;
        while end < n && values[end] == v {
            end += 1;
        }
        if end - at >= REPEAT_RUN {
            bit_packed(out, &values[packed_from..at], width);
            repeated(out, end - at, v, width);
            (at, packed_from) = (end, end);
        } else {
            // No run that long begins inside this one at a group's start
            // (runs are looked for only there: a run of 64 to 70 that
            // begins mid-group may be bit-packed, which is as valid).
            at += (end - at) / 8 * 8;
        }
    }
    bit_packed(out, &values[packed_from..], width);
}

/// A run of `n` values `v` (below `2^width`): its length, then the value
/// in whole bytes.
fn repeated(out: &mut Vec<u8>, n: usize, v: u32, width: u32) {
    varint(out, (n as u64) << 1);
    out.extend_from_slice(&v.to_le_bytes()[..width.div_ceil(8) as usize]);
}

/// `values` as bit-packed runs of at most [`PACKED_RUN`] values.
fn bit_packed(out: &mut Vec<u8>, values: &[u32], width: u32) {
    for run in values.chunks(PACKED_RUN) {
        let groups = run.len().div_ceil(8);
        varint(out, ((groups as u64) << 1) | 1);
        let mut whole = run.chunks_exact(8);
        if width <= 8 {
            // The bits of eight values, the first lowest, are `width`
            // bytes of one u64: each group's eight bytes are stored at
            // once, and the next group's overwrite all but its `width`.
            let w = width as usize;
            let mut at = out.len();
            out.resize(at + (run.len() / 8) * w + 8, 0);
            for group in whole.by_ref() {
                let acc = (0..8).fold(0u64, |acc, i| {
                    acc | u64::from(group[i]) << (i as u32 * width)
                });
                out[at..at + 8].copy_from_slice(&acc.to_le_bytes());
                at += w;
            }
            out.truncate(at);
        }
        // Past 8 bits, and a short last group, byte by byte.
        let rest = if width <= 8 { whole.remainder() } else { run };
        for group in rest.chunks(8) {
            let (mut acc, mut bits) = (0u64, 0);
            for &v in group {
                acc |= u64::from(v) << bits;
                bits += width;
                while bits >= 8 {
                    out.push(acc as u8);
                    (acc, bits) = (acc >> 8, bits - 8);
                }
            }
            // A short last group: zeros up to `width` bytes.
            let written = (group.len() as u32 * width).div_ceil(8);
            if bits > 0 {
                out.push(acc as u8);
            }
            out.extend(std::iter::repeat_n(0u8, (width - written) as usize));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::write_as_polars;
    use super::super::{write_batches, OutColumn, OutValues};
    use std::path::PathBuf;

    /// Each column read back through polars-parquet's reader (the
    /// loader), cell by cell as text, from our file and from the file
    /// polars' own writer makes of the same frames.
    fn read_back(path: &std::path::Path, names: &[&str], n: usize) -> Vec<Vec<Option<String>>> {
        let t = crate::data::load::load(path).unwrap().table;
        assert_eq!(t.n_rows, n);
        names
            .iter()
            .map(|name| {
                let c = t.column(name).unwrap();
                (0..n).map(|r| c.text(r)).collect()
            })
            .collect()
    }

    /// Each (name, values) as a column, and the names.
    fn named<'a, const N: usize>(
        columns: [(&'a str, OutValues<'a>); N],
    ) -> (Vec<OutColumn<'a>>, Vec<&'a str>) {
        let names = columns.iter().map(|(name, _)| *name).collect();
        let columns = columns
            .into_iter()
            .map(|(name, values)| OutColumn { name, values })
            .collect();
        (columns, names)
    }

    /// `columns` written by us in row groups of `batch` rows, as
    /// `ours{batch}.parquet` in `dir`.
    fn ours(dir: &std::path::Path, columns: &[OutColumn], n: usize, batch: usize) -> PathBuf {
        let path = dir.join(format!("ours{batch}.parquet"));
        write_batches(&path, columns, n, batch).unwrap();
        path
    }

    /// 0/1 and text columns, with runs and without, missing values, wide
    /// keys (300 names: 9 bits) and one or no name, in row groups of
    /// 3000 and 700 rows: every cell reads back as written, as polars'
    /// own pages of the same frames read back, and runs are written as
    /// runs.
    #[test]
    fn dictionary_pages_read_back_as_written() {
        let n = 5_000;
        let mix = |i: usize| i * 7919 % 10_007;
        let y: Vec<u8> = (0..n).map(|i| u8::from(mix(i) % 3 == 0)).collect();
        let spread: Vec<u8> = (0..n).map(|i| [0, 7, 255][mix(i) % 3]).collect();
        let constant = vec![1u8; n];
        // Runs of 1 to 199 equal values, at any offset.
        let runs: Vec<u8> = (0..n).map(|i| u8::from((i * i / 997) % 2 == 0)).collect();
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let g: Vec<u32> = (0..n).map(|i| (mix(i) % 4) as u32).collect();
        let wide_names: Vec<String> = (0..300).map(|k| format!("level {k}")).collect();
        let wide: Vec<u32> = (0..n)
            .map(|i| {
                if i % 500 < 100 {
                    299
                } else {
                    (mix(i) % 301) as u32
                }
            })
            .collect();
        let one_name = vec!["only".to_string()];
        let one: Vec<u32> = (0..n)
            .map(|i| if i % 9 == 0 { u32::MAX } else { 0 })
            .collect();
        let none: Vec<u32> = vec![u32::MAX; n];
        let text = |codes, names| OutValues::Text { codes, names };
        let columns = [
            ("y", OutValues::U8(&y)),
            ("spread", OutValues::U8(&spread)),
            ("constant", OutValues::U8(&constant)),
            ("runs", OutValues::U8(&runs)),
            ("g", text(&g, &names)),
            ("wide", text(&wide, &wide_names)),
            ("one", text(&one, &one_name)),
            ("none", text(&none, &[])),
        ];
        let (columns, names_of) = named(columns);
        let expected: Vec<Vec<Option<String>>> = vec![
            y.iter().map(|v| Some(v.to_string())).collect(),
            spread.iter().map(|v| Some(v.to_string())).collect(),
            constant.iter().map(|v| Some(v.to_string())).collect(),
            runs.iter().map(|v| Some(v.to_string())).collect(),
            g.iter().map(|&c| names.get(c as usize).cloned()).collect(),
            wide.iter()
                .map(|&c| wide_names.get(c as usize).cloned())
                .collect(),
            one.iter()
                .map(|&c| one_name.get(c as usize).cloned())
                .collect(),
            vec![None; n],
        ];
        let dir = tempfile::tempdir().unwrap();
        for batch in [3_000, 700] {
            let ours = ours(dir.path(), &columns, n, batch);
            assert_eq!(read_back(&ours, &names_of, n), expected, "batch {batch}");
            let theirs = dir.path().join(format!("theirs{batch}.parquet"));
            write_as_polars(&theirs, &columns, n, batch);
            assert_eq!(read_back(&theirs, &names_of, n), expected, "batch {batch}");
            // One repeated value per page: a few bytes for the constant.
            let meta =
                polars_parquet::read::read_metadata(&mut std::fs::File::open(&ours).unwrap())
                    .unwrap();
            let chunk = &meta.row_groups[0].parquet_columns()[2];
            assert!(chunk.compressed_size() < 100, "{}", chunk.compressed_size());
        }
    }

    /// Row numbers that count up by one, from 0 and from past 2^32, in
    /// row groups of 3000 and 700 rows (a page of one value among them)
    /// read back as written, in blocks of no bits; numbers that do not
    /// count up are left to polars.
    #[test]
    fn counting_row_numbers_read_back_as_written() {
        let n = 5_001;
        let from_zero: Vec<u64> = (0..n as u64).collect();
        let high: Vec<u64> = (0..n as u64).map(|i| (1 << 33) + i).collect();
        let gaps: Vec<u64> = (0..n as u64).map(|i| i * 2).collect();
        let columns = [("row", &from_zero), ("high", &high), ("gaps", &gaps)];
        let expected: Vec<Vec<Option<String>>> = columns
            .iter()
            .map(|(_, v)| v.iter().map(|x| Some(x.to_string())).collect())
            .collect();
        let (columns, names_of) = named(columns.map(|(name, v)| (name, OutValues::U64(v))));
        let dir = tempfile::tempdir().unwrap();
        for batch in [3_000, 700] {
            let ours = ours(dir.path(), &columns, n, batch);
            assert_eq!(read_back(&ours, &names_of, n), expected, "batch {batch}");
            let meta =
                polars_parquet::read::read_metadata(&mut std::fs::File::open(&ours).unwrap())
                    .unwrap();
            let chunks = meta.row_groups[0].parquet_columns();
            // 3000 values: a header and 24 blocks of five bytes.
            assert!(
                chunks[0].compressed_size() < 250,
                "{}",
                chunks[0].compressed_size()
            );
            assert!(
                chunks[1].compressed_size() < 250,
                "{}",
                chunks[1].compressed_size()
            );
        }
    }

    /// Only the physical types these pages are written for: a 0/1 column
    /// as INT32, an Enum as BYTE_ARRAY; any other goes to polars.
    #[test]
    fn other_physical_types_are_left_to_polars() {
        use polars_parquet::parquet::schema::types::{PhysicalType, PrimitiveType};
        use polars_parquet::write::{ParquetType, StatisticsOptions, Version, WriteOptions};
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            version: Version::V1,
            compression: polars_parquet::write::CompressionOptions::Snappy,
            data_page_size: None,
        };
        let field = |t| ParquetType::PrimitiveType(PrimitiveType::from_physical("c".into(), t));
        let y = [0u8, 1, 1];
        let (codes, names) = ([0u32, 1, 0], ["a".to_string(), "b".to_string()]);
        let pages = |values: &OutValues, t| {
            super::dictionary_pages(values, true, 0..3, &field(t), options).map(|p| p.len())
        };
        let text = OutValues::Text {
            codes: &codes,
            names: &names,
        };
        assert_eq!(pages(&OutValues::U8(&y), PhysicalType::Int32), Some(2));
        assert_eq!(pages(&text, PhysicalType::ByteArray), Some(2));
        assert_eq!(pages(&OutValues::U8(&y), PhysicalType::Int64), None);
        assert_eq!(pages(&text, PhysicalType::FixedLenByteArray(1)), None);
        // No rows: polars writes them.
        let none = super::dictionary_pages(
            &OutValues::U8(&y),
            true,
            0..0,
            &field(PhysicalType::Int32),
            options,
        );
        assert!(none.is_none());
        // Row numbers: INT64 that count up by one, below 2^63.
        let counting = |v: &[u64], t| {
            super::counting_pages(&OutValues::U64(v), 0..v.len(), &field(t), options)
                .map(|p| p.len())
        };
        assert_eq!(counting(&[4, 5, 6], PhysicalType::Int64), Some(1));
        assert_eq!(counting(&[4], PhysicalType::Int64), Some(1));
        assert_eq!(counting(&[4, 6, 7], PhysicalType::Int64), None);
        assert_eq!(counting(&[6, 5, 4], PhysicalType::Int64), None);
        assert_eq!(
            counting(&[u64::MAX - 1, u64::MAX], PhysicalType::Int64),
            None
        );
        assert_eq!(counting(&[4, 5, 6], PhysicalType::Int32), None);
        assert_eq!(counting(&[], PhysicalType::Int64), None);
        // Numbers polars writes plain: more than 128, mostly distinct, no
        // NaN and no zero.
        let plain = |v: &[f64], t| {
            super::plain_pages(&OutValues::F64(v), 0..v.len(), &field(t), options).map(|p| p.len())
        };
        let scores: Vec<f64> = (1..=300).map(|i| f64::from(i) / 301.0).collect();
        assert_eq!(plain(&scores, PhysicalType::Double), Some(1));
        assert_eq!(plain(&scores[..128], PhysicalType::Double), None);
        assert_eq!(plain(&scores, PhysicalType::Float), None);
        for odd in [f64::NAN, 0.0, -0.0] {
            let mut v = scores.clone();
            v[200] = odd;
            assert_eq!(plain(&v, PhysicalType::Double), None, "{odd}");
        }
        let few: Vec<f64> = scores.iter().map(|x| (x * 4.0).ceil()).collect();
        assert_eq!(plain(&few, PhysicalType::Double), None);
    }

    /// Distinct numbers (negative, infinite, tiny) in row groups of 3000
    /// and 700 rows read back as written, and those with a NaN or a zero,
    /// or few values, through polars.
    #[test]
    fn plain_numbers_read_back_as_written() {
        let n = 5_001;
        let spread: Vec<f64> = (0..n)
            .map(|i| match i {
                7 => f64::INFINITY,
                8 => f64::NEG_INFINITY,
                9 => f64::MIN_POSITIVE,
                _ => (i as f64 - 2_000.5) * 1.000_1,
            })
            .collect();
        let mut odd = spread.clone();
        (odd[10], odd[3_500]) = (f64::NAN, 0.0);
        let few: Vec<f64> = (0..n).map(|i| (i % 3) as f64 + 0.5).collect();
        let columns = [("spread", &spread), ("odd", &odd), ("few", &few)];
        let (columns, names_of) = named(columns.map(|(name, v)| (name, OutValues::F64(v))));
        let dir = tempfile::tempdir().unwrap();
        for batch in [3_000, 700] {
            let ours = ours(dir.path(), &columns, n, batch);
            let theirs = dir.path().join(format!("theirs{batch}.parquet"));
            write_as_polars(&theirs, &columns, n, batch);
            let back = read_back(&ours, &names_of, n);
            assert_eq!(back, read_back(&theirs, &names_of, n), "batch {batch}");
            let t = crate::data::load::load(&ours).unwrap().table;
            let Some(crate::data::Values::Num(got)) = t.column("spread").map(|c| &c.values) else {
                panic!("spread is not numbers");
            };
            assert!(got
                .iter()
                .zip(&spread)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    /// The hybrid's runs: a long run of one value is one repeated value;
    /// values that change are bit-packed, eight to `width` bytes.
    #[test]
    fn hybrid_runs_by_hand() {
        // 100 sevens at width 3: header 100 << 1 = 200 (two varint bytes),
        // then the value in one byte.
        let mut out = Vec::new();
        super::hybrid(&mut out, &[7; 100], 3);
        assert_eq!(out, [0xc8, 0x01, 7]);
        // 0..8 at width 3: one group (header 1 << 1 | 1), packed lowest
        // first: 0b10_001_000, 0b1_100_011_0, 0b111_110_10.
        let mut out = Vec::new();
        super::hybrid(&mut out, &[0, 1, 2, 3, 4, 5, 6, 7], 3);
        assert_eq!(out, [3, 0b1000_1000, 0b1100_0110, 0b1111_1010]);
        // Three values at width 1: one short group, one byte.
        let mut out = Vec::new();
        super::hybrid(&mut out, &[1, 0, 1], 1);
        assert_eq!(out, [3, 0b101]);
        // 8 changing values, then 64 ones: packed, then repeated.
        let mut v = vec![0, 1, 0, 1, 0, 1, 0, 1];
        v.extend([1; 64]);
        let mut out = Vec::new();
        super::hybrid(&mut out, &v, 1);
        assert_eq!(out, [3, 0b1010_1010, 128, 1, 1]);
    }

    /// The `width` low bits of each value laid end to end, lowest first,
    /// in groups of eight values (a short last group padded with zeros).
    fn bits_end_to_end(values: &[u32], width: u32) -> Vec<u8> {
        let w = width as usize;
        let mut bits = vec![false; values.len().div_ceil(8) * 8 * w];
        for (i, &v) in values.iter().enumerate() {
            for b in 0..w {
                bits[i * w + b] = v >> b & 1 == 1;
            }
        }
        bits.chunks(8)
            .map(|byte| (0..8).fold(0u8, |acc, b| acc | u8::from(byte[b]) << b))
            .collect()
    }

    /// The hybrid by its definition, value by value: from the last run's
    /// end, each group start measures its run; one of [`super::REPEAT_RUN`]
    /// or more is repeated after the groups before it are bit-packed (bit
    /// by bit, runs of at most [`super::PACKED_RUN`] values).
    fn hybrid_by_definition(values: &[u32], width: u32) -> Vec<u8> {
        fn packed(out: &mut Vec<u8>, values: &[u32], width: u32) {
            for run in values.chunks(super::PACKED_RUN) {
                super::varint(out, ((run.len().div_ceil(8) as u64) << 1) | 1);
                out.extend(bits_end_to_end(run, width));
            }
        }
        let mut out = Vec::new();
        let (mut at, mut from) = (0, 0);
        while at < values.len() {
            let end = (at..values.len())
                .find(|&i| values[i] != values[at])
                .unwrap_or(values.len());
            if end - at >= super::REPEAT_RUN {
                packed(&mut out, &values[from..at], width);
                super::repeated(&mut out, end - at, values[at], width);
                (at, from) = (end, end);
            } else {
                at += 8;
            }
        }
        packed(&mut out, &values[from..], width);
        out
    }

    /// Random values with runs of every length (short, just under and over
    /// [`super::REPEAT_RUN`], and past [`super::PACKED_RUN`]), at widths
    /// up to 12, give the same bytes as the hybrid by definition.
    #[test]
    fn hybrid_is_its_definition() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for width in 1..=12u32 {
            for case in 0..40 {
                let mut values = Vec::new();
                let len = (next() % 30_000) as usize;
                while values.len() < len {
                    let v = (next() % (1u64 << width)) as u32;
                    let run = match next() % 6 {
                        0 => 1,
                        1 => (next() % 8) as usize + 1,
                        2 => 56 + (next() % 20) as usize,
                        3 => (next() % 300) as usize,
                        4 if case % 4 == 0 => 9000 + (next() % 200) as usize,
                        _ => (next() % 4) as usize + 1,
                    };
                    values.extend(std::iter::repeat_n(v, run));
                }
                let mut out = Vec::new();
                super::hybrid(&mut out, &values, width);
                assert_eq!(
                    out,
                    hybrid_by_definition(&values, width),
                    "width {width}, case {case}"
                );
            }
        }
    }

    /// Bit-packed groups at every width up to 12 (whole groups of eight
    /// at once up to 8 bits, byte by byte past that, a short last group)
    /// are the bits laid end to end, lowest first.
    #[test]
    fn bit_packing_is_bits_end_to_end() {
        for width in 1..=12u32 {
            let values: Vec<u32> = (0..21u32)
                .map(|i| i.wrapping_mul(2_654_435_761u32.wrapping_mul(i + 1)) % (1 << width))
                .collect();
            let mut out = Vec::new();
            super::bit_packed(&mut out, &values, width);
            // Header: three groups, bit-packed.
            let mut want = vec![3 << 1 | 1];
            want.extend(bits_end_to_end(&values, width));
            assert_eq!(out, want, "width {width}");
        }
    }
}
