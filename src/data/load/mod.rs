//! Loading CSV and Parquet files into a [`Table`]. The only module that
//! touches polars (pinned `=0.55.2`; its API breaks between minor versions).
//!
//! A large CSV is parsed in chunks of whole records: polars parses one chunk,
//! its columns are appended to ours and the chunk is dropped before the next
//! one, so the polars frame (text as 16-byte views plus buffers, several times
//! our dictionary codes) never exists for the whole file at once.
use super::table::{Column, DType, Table, Values, NULL_CODE};
use crate::error::GateError;
use polars::prelude::{
    CsvParseOptions, CsvReadOptions, DataFrame, DataType, NullValues, SchemaRef, SerReader, Series,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Cursor;
use std::ops::Range;
use std::path::Path;

mod dict;
mod numeric_text;
mod parquet;
mod write;
pub(crate) use numeric_text::numeric_text_to_float;
use parquet::read_parquet;
pub use write::{write_parquet, OutColumn, OutValues};

/// A loaded file: its table and the sha256 of its bytes.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub table: Table,
    pub sha256: String,
    /// What loading left out, for the report's notes (date/time columns of
    /// a Parquet file).
    pub notes: Vec<String>,
    /// The columns left out and their kind (`timestamp`, `date`, ...).
    pub skipped: Vec<(String, &'static str)>,
}

/// Rows polars looks at to guess column types before falling back to all rows.
const INFER_ROWS: usize = 10_000;
/// Bytes per parse chunk of a CSV file (cut at a line end).
const CHUNK_BYTES: usize = 16 << 20;

/// Reads `path` (`.parquet` / `.pq` as Parquet, anything else as CSV).
pub fn load(path: &Path) -> Result<Loaded, GateError> {
    load_as(path, &[])
}

/// [`load`], with the CSV columns named in `as_text` read as text
/// whatever their cells look like: codes such as `007` and `010` that
/// another file of the same data (the training file, a contract's
/// `type = "string"`) holds as text, which this file would otherwise read
/// as the numbers 7 and 10 (round 37, F1).
pub fn load_as(path: &Path, as_text: &[String]) -> Result<Loaded, GateError> {
    load_reusing(path, as_text, &mut Vec::new())
}

/// [`load_as`] reading the file into `bytes` (cleared first): the parts of
/// a directory reuse one buffer, whose pages stay mapped, rather than
/// each taking fresh memory from the system.
pub fn load_reusing(
    path: &Path,
    as_text: &[String],
    bytes: &mut Vec<u8>,
) -> Result<Loaded, GateError> {
    let shown = path.display();
    if path.is_dir() {
        return Err(GateError::Data(format!(
            "{shown}: is a directory; data::parts::load reads part directories"
        )));
    }
    bytes.clear();
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_to_end(&mut f, bytes))
        .map_err(|e| GateError::Data(format!("{shown}: cannot read data file: {e}")))?;
    let bytes: &[u8] = bytes;
    if bytes.is_empty() {
        return Err(GateError::NoRows(format!("{shown}: the file is empty")));
    }
    // Hash on one thread while polars parses on the others.
    let (sha256, table) = std::thread::scope(|s| {
        let hasher = s.spawn(|| crate::config::sha256_hex(bytes));
        // Parquet: the date/time columns left out; CSV: the separator used.
        let table = if is_parquet(path) {
            read_parquet(bytes).and_then(|read| {
                let skipped = read.skipped.clone();
                Ok((parquet::into_table(read)?, skipped, None))
            })
        } else {
            read_csv(bytes, CHUNK_BYTES, as_text).map(|(t, sep)| (t, Vec::new(), Some(sep)))
        };
        (hasher.join().unwrap_or_default(), table)
    });
    let (mut table, skipped, sep) = table.map_err(|m| GateError::Data(format!("{shown}: {m}")))?;
    // Every column must have a value per row: a corrupt Parquet page can
    // decode short (found by fuzzing), and row-wise code would index past it.
    if let Some((name, len)) = table.ragged_column() {
        return Err(GateError::Data(format!(
            "{shown}: cannot read Parquet: column {name:?} decoded {len} values for {} rows \
             (the file is corrupt)",
            table.n_rows
        )));
    }
    let separator_note = sep
        .filter(|&sep| sep != b',')
        .map(|sep| {
            format!(
                "{shown}: read as {:?}-separated (its first records split consistently on it, not on commas)",
                char::from(sep)
            )
        });
    let mut notes: Vec<String> = separator_note
        .into_iter()
        .chain(skipped.iter().map(|(name, kind)| {
            format!(
                "{shown}: column {name:?} ({kind}) was not read: date and time columns \
                 are not supported; store them as text or numbers to use them"
            )
        }))
        .collect();
    if table.n_rows == 0 {
        return Err(GateError::NoRows(format!("{shown}: {NO_ROWS}")));
    }
    if !is_parquet(path) {
        // Two exports joined with `cat` keep the second header as a row,
        // which turns every numeric column into text: refuse, naming it.
        if let Some(row) = repeated_header(&table) {
            return Err(GateError::Data(format!(
                "{shown}: data row {} (line {} without quoted line breaks) repeats the header: \
                 were files joined with their headers? remove that line",
                row + 1,
                row + 2
            )));
        }
        for col in table
            .columns
            .iter_mut()
            .filter(|c| !as_text.contains(&c.name))
        {
            notes.extend(numeric_text_to_float(col).map(|n| format!("{shown}: {n}")));
        }
    }
    Ok(Loaded {
        table,
        sha256,
        notes,
        skipped,
    })
}

/// The first row whose every cell (of two or more columns) is its
/// column's name, give or take surrounding spaces: a header read as data.
fn repeated_header(table: &Table) -> Option<usize> {
    let [first, ..] = table.columns.as_slice() else {
        return None;
    };
    if table.columns.len() < 2 {
        return None;
    }
    let is_name = |c: &Column, r: usize| c.text(r).is_some_and(|v| v.trim() == c.name.trim());
    let candidates: Vec<usize> = match &first.values {
        Values::Cat { codes, levels } => {
            let code = levels.iter().position(|l| l.trim() == first.name.trim())?;
            (0..table.n_rows)
                .filter(|&r| codes[r] == code as u32)
                .collect()
        }
        // A numeric column holds its name only when the name is a number.
        Values::Num(v) => {
            let x = first.name.trim().parse::<f64>().ok()?;
            (0..table.n_rows).filter(|&r| v[r] == x).collect()
        }
    };
    candidates
        .into_iter()
        .find(|&r| table.columns.iter().all(|c| is_name(c, r)))
}

/// Polars alone reading `path` into its own frame (the same options, no
/// conversion, no checks): the baseline `bench/validate_speed.sh` compares
/// `validate` with. Returns (rows, columns).
pub fn polars_read(path: &Path) -> Result<(usize, usize), GateError> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| GateError::Data(format!("{shown}: cannot read data file: {e}")))?;
    let df = if is_parquet(path) {
        parquet::polars_only(&bytes)
    } else {
        parse_csv(
            &bytes,
            true,
            Some(INFER_ROWS),
            None,
            separator(&bytes),
            None,
        )
        .map_err(|e| e.to_string())
    }
    .map_err(|m| GateError::Data(format!("{shown}: {m}")))?;
    Ok((df.height(), df.width()))
}

/// Whether `path` is read as Parquet rather than CSV: by its extension
/// (`.parquet`, `.pq`), or, without one (Hadoop's `part-00000`), by the
/// `PAR1` magic that opens every Parquet file.
pub(crate) fn is_parquet(path: &Path) -> bool {
    match path.extension() {
        Some(e) => matches!(
            e.to_str().map(str::to_ascii_lowercase).as_deref(),
            Some("parquet" | "pq")
        ),
        None => {
            let mut magic = [0u8; 4];
            std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
                .is_ok_and(|()| &magic == b"PAR1")
        }
    }
}

/// Parses CSV `bytes` into a table, in chunks of about `chunk_bytes`; with
/// the field separator it was read with.
fn read_csv(bytes: &[u8], chunk_bytes: usize, as_text: &[String]) -> Result<(Table, u8), String> {
    if let Some(kind) = binary_kind(bytes) {
        return Err(format!(
            "is a {kind}, not a CSV file; {}",
            if kind == "Parquet file" {
                "name it .parquet (or .pq)"
            } else {
                "decompress it first"
            }
        ));
    }
    let body = super::shape::text_body(bytes)?;
    let sep = separator(body);
    let mut shape = super::shape::check_with(body, sep)?;
    // A BOM inside the quotes of the first name (`"\u{feff}x0"`, written by
    // a tool that quotes every field) is no part of the name.
    if let Some(first) = shape.header.first_mut() {
        *first = first.trim_start_matches('\u{feff}').to_string();
    }
    check_header(&shape.header)?;
    if shape.records == 0 {
        // An empty table: the caller says "no data rows" (or skips an
        // empty part file).
        let columns = shape
            .header
            .iter()
            .map(|name| Column {
                name: name.clone(),
                dtype: DType::Float,
                values: Values::Num(Vec::new()),
            })
            .collect();
        return Ok((Table { columns, n_rows: 0 }, sep));
    }
    // The columns to read as text, as polars names them (its names for
    // blank or quoted headers differ from the file's only in those).
    let text: Vec<polars::prelude::Field> = shape
        .header
        .iter()
        .filter(|name| as_text.contains(name))
        .map(|name| polars::prelude::Field::new(name.as_str().into(), DataType::String))
        .collect();
    let overwrite =
        (!text.is_empty()).then(|| SchemaRef::new(polars::prelude::Schema::from_iter(text)));
    let mut table = read_csv_body(body, chunk_bytes, sep, overwrite)?;
    // Names as the file spells them: polars keeps a quoted header's doubled
    // quotes (`"a ""b"""` stays `a ""b""`); the shape scan unescapes them.
    if table.columns.len() == shape.header.len() {
        for (col, name) in table.columns.iter_mut().zip(shape.header) {
            if !name.is_empty() {
                col.name = name;
            }
        }
    }
    Ok((table, sep))
}

/// The parse proper of a checked CSV body.
fn read_csv_body(
    body: &[u8],
    chunk_bytes: usize,
    sep: u8,
    as_text: Option<SchemaRef>,
) -> Result<Table, String> {
    let chunks = split_chunks(body, chunk_bytes);
    if chunks.len() > 1 {
        // Any failure (e.g. a type change after the inference window) falls
        // back to the whole-file parse, which reports or resolves it.
        if let Ok(t) = parse_chunked(body, &chunks, sep, as_text.clone()) {
            return Ok(t);
        }
    }
    let text = || as_text.clone();
    let df = match parse_csv(body, true, Some(INFER_ROWS), None, sep, text()) {
        Ok(df) => Ok(df),
        // A column whose type changes after the first rows: infer from all
        // rows; a number no integer type holds (a 20-digit account number,
        // round 28, F4): every column as text, numbers becoming floats as
        // the loader turns numeric text into numbers.
        Err(_) => parse_csv(body, true, None, None, sep, text())
            .or_else(|e| parse_csv(body, true, Some(0), None, sep, text()).map_err(|_| e)),
    }
    .map_err(|e| {
        let stray = super::shape::stray_quote_line(body, sep).map(|line| {
            format!(
                "line {line} has a `\"` inside a field that does not start with one; quote \
                 the whole field and double the quote (`\"D\"\"SL\"`). "
            )
        });
        format!(
            "{}cannot parse CSV: {}",
            stray.unwrap_or_default(),
            tidy_polars_error(&e.to_string())
        )
    })?;
    to_table(&df)
}

/// The error for a file with a header (or a schema) but no rows.
const NO_ROWS: &str = "no data rows (the file has a header only)";

/// Polars' CSV errors end in advice about Python options (`ignore_errors`,
/// `infer_schema_length`); keep what went wrong and where.
fn tidy_polars_error(e: &str) -> String {
    let head = e.split("\n\n").next().unwrap_or(e).trim();
    let original = e.split_once("Original error:").map(|(_, o)| {
        let o = o.replace("```", "");
        o.split_whitespace().collect::<Vec<_>>().join(" ")
    });
    match original {
        Some(o) if !o.is_empty() => format!("{head} ({o})"),
        _ => head.to_string(),
    }
}

/// Polars' CSV parse, the columns of `as_text` (a schema of text columns)
/// read as text whatever polars would infer.
fn parse_csv(
    body: &[u8],
    header: bool,
    infer: Option<usize>,
    schema: Option<SchemaRef>,
    sep: u8,
    as_text: Option<SchemaRef>,
) -> polars::prelude::PolarsResult<DataFrame> {
    let nulls = NullValues::AllColumns(["", "NA", "null", "NULL", "NaN"].map(Into::into).to_vec());
    CsvReadOptions::default()
        .with_has_header(header)
        .with_infer_schema_length(infer)
        .with_schema(schema)
        .with_schema_overwrite(as_text)
        .with_parse_options(
            CsvParseOptions::default()
                .with_separator(sep)
                .with_null_values(Some(nulls)),
        )
        .into_reader_with_file_handle(Cursor::new(body))
        .finish()
}

/// The field separator: `,`, unless the file reads consistently with `;` or
/// a tab instead (European spreadsheets, bank-marketing-style exports): the
/// first records, quotes respected, must all have the same number of fields,
/// more than one. Said in the report's notes.
pub fn separator(body: &[u8]) -> u8 {
    let head = &body[..body.len().min(1 << 16)];
    let consistent = |sep: u8| {
        let counts = record_field_counts(head, sep, 6);
        counts.first().is_some_and(|&n| n > 1) && counts.iter().all(|&c| c == counts[0])
    };
    [b',', b';', b'\t']
        .into_iter()
        .find(|&sep| consistent(sep))
        .unwrap_or(b',')
}

/// Fields per record of the first `max` records of `text` split by `sep`,
/// quotes respected (a quoted field may hold `sep` or a newline); a last
/// record cut short by the sample is left out unless it is the only one.
fn record_field_counts(text: &[u8], sep: u8, max: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut fields, mut quoted) = (1, false);
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b'\n' => {
                counts.push(fields);
                if counts.len() == max {
                    return counts;
                }
                fields = 1;
            }
            _ if b == sep => fields += 1,
            _ => {}
        }
    }
    if counts.is_empty() {
        counts.push(fields);
    }
    counts
}

/// A compressed or binary format recognised by its first bytes.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    [
        (&b"\x1f\x8b"[..], "gzip-compressed file"),
        (b"PK\x03\x04", "zip archive"),
        (b"\x28\xb5\x2f\xfd", "zstd-compressed file"),
        (b"\xfd7zXZ\x00", "xz-compressed file"),
    ]
    .into_iter()
    .find(|(magic, _)| bytes.starts_with(magic))
    .map(|(_, kind)| kind)
    // Parquet starts and ends with its magic (a header could start `PAR1`).
    .or_else(|| {
        (bytes.len() > 8 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"))
            .then_some("Parquet file")
    })
}

/// Rejects duplicate column names before polars renames them.
fn check_header(names: &[String]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for name in names.iter().map(|n| n.trim()) {
        if !seen.insert(name) {
            return Err(format!("duplicate column name {name:?} in the header"));
        }
    }
    Ok(())
}

/// Byte ranges of about `target` bytes, each ending at a line end; the first
/// holds the header and at least `INFER_ROWS` rows, so polars infers the
/// types from the same rows as for the whole file. A file with a quote
/// character anywhere (a quoted field may hold a newline) is one range.
fn split_chunks(body: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    if body.len() <= target || body.contains(&b'"') {
        return std::iter::once(0..body.len()).collect();
    }
    let first_min = body
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(INFER_ROWS)
        .map_or(body.len(), |(i, _)| i);
    let mut out = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let want = (start + target).max(if start == 0 { first_min } else { 0 });
        let end = match body
            .get(want..)
            .and_then(|r| r.iter().position(|&b| b == b'\n'))
        {
            Some(i) => want + i + 1,
            None => body.len(),
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Parses the chunks in turn with the first chunk's schema, appending each
/// to our columns before parsing the next.
fn parse_chunked(
    body: &[u8],
    chunks: &[Range<usize>],
    sep: u8,
    as_text: Option<SchemaRef>,
) -> Result<Table, String> {
    let mut builders: Vec<Builder> = Vec::new();
    let mut schema: Option<SchemaRef> = None;
    let mut n_rows = 0;
    for (i, r) in chunks.iter().enumerate() {
        let df = parse_csv(
            &body[r.clone()],
            i == 0,
            Some(INFER_ROWS),
            schema.clone(),
            sep,
            if i == 0 { as_text.clone() } else { None },
        )
        .map_err(|e| e.to_string())?;
        if i == 0 {
            schema = Some(df.schema().clone());
            builders = df
                .columns()
                .iter()
                .map(|c| Builder::new(c.as_materialized_series()))
                .collect::<Result<_, _>>()?;
        }
        if df.width() != builders.len() {
            return Err("a chunk has a different column count".into());
        }
        builders
            .par_iter_mut()
            .zip(df.columns().par_iter())
            .map(|(b, c)| b.push(c.as_materialized_series()))
            .collect::<Result<(), String>>()?;
        n_rows += df.height();
    }
    Ok(Table {
        columns: builders.into_iter().map(Builder::finish).collect(),
        n_rows,
    })
}

/// Converts a polars frame to our columns, one column per rayon task.
fn to_table(df: &DataFrame) -> Result<Table, String> {
    let columns: Vec<Result<Column, String>> = df
        .columns()
        .par_iter()
        .map(|c| {
            let s = c.as_materialized_series();
            // Dictionary-encoded text (pandas' `category`) is text to us.
            let cast;
            let s = if matches!(s.dtype(), DataType::Categorical(..) | DataType::Enum(..))
                || beyond_floats(s)
            {
                cast = s
                    .cast(&DataType::String)
                    .map_err(|e| format!("column {:?}: {e}", s.name().as_str()))?;
                &cast
            } else {
                s
            };
            let mut b = Builder::new(s)?;
            b.push(s)?;
            Ok(b.finish())
        })
        .collect();
    Ok(Table {
        // The first error in column order, whatever the thread timing.
        columns: columns.into_iter().collect::<Result<_, _>>()?,
        n_rows: df.height(),
    })
}

/// Whether `s` is an integer column holding a value of magnitude 2^53 or
/// more, where floats stop telling integers apart: such a column (ids, a
/// target of 2^53 and 2^53 + 1) is read as text, its exact digits, rather
/// than merging values (round 14, F5). (The extremes are compared as
/// floats, which round 2^53 + 1 down to 2^53: hence 2^53 itself counts.)
fn beyond_floats(s: &Series) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    s.dtype().is_integer()
        && (s.max::<f64>().ok().flatten().is_some_and(|m| m >= EXACT)
            || s.min::<f64>().ok().flatten().is_some_and(|m| m <= -EXACT))
}

/// One of our columns, appended to chunk by chunk; text columns keep their
/// dictionary (level -> code) across chunks.
struct Builder {
    column: Column,
    index: HashMap<String, u32, BuildHasherDefault<FastHasher>>,
    /// Codes of short values (at most 12 bytes) by their 16-byte Arrow view,
    /// which holds such a value inline: no string hashing or comparing.
    inline: HashMap<u128, u32, BuildHasherDefault<FastHasher>>,
}

impl Builder {
    /// An empty column of the series' type.
    fn new(s: &Series) -> Result<Builder, String> {
        let name = s.name().to_string();
        let dtype = s.dtype();
        let (dtype, values) = if dtype.is_integer() {
            (DType::Integer, Values::Num(Vec::new()))
        } else if dtype.is_float() || matches!(dtype, DataType::Null | DataType::Decimal(..)) {
            (DType::Float, Values::Num(Vec::new()))
        } else if matches!(dtype, DataType::Boolean) {
            (DType::Boolean, Values::Num(Vec::new()))
        } else if matches!(dtype, DataType::String) {
            let values = Values::Cat {
                codes: Vec::new(),
                levels: Vec::new(),
            };
            (DType::String, values)
        } else {
            return Err(format!("column {name:?} has unsupported type {dtype}; use integer, float, boolean or text columns"));
        };
        Ok(Builder {
            column: Column {
                name,
                dtype,
                values,
            },
            index: HashMap::default(),
            inline: HashMap::default(),
        })
    }

    /// Appends the values of `s` (same type as the first chunk's).
    fn push(&mut self, s: &Series) -> Result<(), String> {
        let name = s.name();
        match &mut self.column.values {
            Values::Num(v) if matches!(s.dtype(), DataType::Null) => {
                v.extend(std::iter::repeat_n(f64::NAN, s.len()));
            }
            Values::Num(v) => {
                let cast = s
                    .cast(&DataType::Float64)
                    .map_err(|e| format!("column {name:?}: {e}"))?;
                let ca = cast.f64().map_err(|e| format!("column {name:?}: {e}"))?;
                if ca.null_count() == 0 {
                    // No missing value: the buffers as they are.
                    v.reserve(ca.len());
                    ca.downcast_iter()
                        .for_each(|arr| v.extend_from_slice(arr.values()));
                } else {
                    v.extend(ca.iter().map(|x| x.unwrap_or(f64::NAN)));
                }
            }
            Values::Cat { codes, levels } => {
                let ca = s.str().map_err(|e| format!("column {name:?}: {e}"))?;
                codes.reserve(ca.len());
                for arr in ca.downcast_iter() {
                    for (view, value) in arr.views().iter().zip(arr.iter()) {
                        let code = match value {
                            None => NULL_CODE,
                            Some(t) if view.length <= 12 => {
                                match self.inline.get(&view.as_u128()) {
                                    Some(&c) => c,
                                    None => {
                                        let c = level_code(&mut self.index, levels, t);
                                        self.inline.insert(view.as_u128(), c);
                                        c
                                    }
                                }
                            }
                            Some(t) => level_code(&mut self.index, levels, t),
                        };
                        codes.push(code);
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Column {
        self.column
    }
}

/// The code of `t`, adding it as a new level when first seen.
fn level_code(
    index: &mut HashMap<String, u32, BuildHasherDefault<FastHasher>>,
    levels: &mut Vec<String>,
    t: &str,
) -> u32 {
    if let Some(&c) = index.get(t) {
        return c;
    }
    let c = levels.len() as u32;
    levels.push(t.to_string());
    index.insert(t.to_string(), c);
    c
}

/// A fast non-cryptographic hasher for the level dictionaries (std's SipHash
/// was a fifth of the load time of a 1M-row file): 8 bytes per multiply,
/// splitmix64's finalizer for well-spread bits.
#[derive(Default)]
struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 30;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^= x >> 27;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Result<Table, String> {
        read_csv(text.as_bytes(), CHUNK_BYTES, &[]).map(|(t, _)| t)
    }

    #[test]
    fn reads_types_and_nulls() {
        let t = csv("a,b,c,d\n1,x,1.5,true\n2,,NA,false\n3,y,,true\n").unwrap();
        assert_eq!(t.n_rows, 3);
        let a = t.column("a").unwrap();
        assert_eq!(a.dtype, DType::Integer);
        assert_eq!(a.values, Values::Num(vec![1.0, 2.0, 3.0]));
        let b = t.column("b").unwrap();
        assert_eq!(b.dtype, DType::String);
        assert!(b.is_null(1));
        assert_eq!(b.text(2).as_deref(), Some("y"));
        let c = t.column("c").unwrap();
        assert!(c.is_null(1) && c.is_null(2));
        assert_eq!(t.column("d").unwrap().dtype, DType::Boolean);
    }

    #[test]
    fn numbers_with_cells_spelled_missing_are_numbers() {
        // Round 18, F4: one blank cell of spaces made a number 1,500 levels
        // of text.
        let mut t = csv("x,s\n1.5,a\n   ,b\n-,c\n?,d\n3,N/A\n").unwrap();
        let notes: Vec<String> = t
            .columns
            .iter_mut()
            .filter_map(numeric_text_to_float)
            .collect();
        let x = t.column("x").unwrap();
        assert_eq!(x.dtype, DType::Float);
        assert!(x.is_null(1) && x.is_null(2) && x.is_null(3), "{x:?}");
        assert_eq!(x.text(4).as_deref(), Some("3"));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("column \"x\": 3 cell(s) spelled"),
            "{notes:?}"
        );
        // Text stays text, and a column of missing spellings only too.
        assert_eq!(t.column("s").unwrap().dtype, DType::String);
        let mut only = csv("m\n-\n?\n").unwrap();
        assert!(numeric_text_to_float(&mut only.columns[0]).is_none());
        assert_eq!(only.columns[0].dtype, DType::String);
    }

    #[test]
    fn bom_is_stripped() {
        let t = csv("\u{feff}a,b\n1,2\n").unwrap();
        assert_eq!(t.column_names(), vec!["a", "b"]);
        // Round 16, C1: a BOM inside the first name's quotes too.
        let t = csv("\u{feff}\"\u{feff}a\",b\n1,2\n").unwrap();
        assert_eq!(t.column_names(), vec!["a", "b"]);
        // Round 15, C3: two BOMs (saved twice) too.
        let t = csv("\u{feff}\u{feff}a,b\n1,2\n").unwrap();
        assert_eq!(t.column_names(), vec!["a", "b"]);
    }

    #[test]
    fn non_utf8_is_an_error() {
        let e = read_csv(b"a,b\n1,\xff\xfe\n", CHUNK_BYTES, &[]).unwrap_err();
        assert!(e.contains("not valid UTF-8"), "{e}");
    }

    #[test]
    fn duplicate_header_is_an_error() {
        let e = csv("a,b,a\n1,2,3\n").unwrap_err();
        assert!(e.contains("duplicate column name \"a\""), "{e}");
    }

    #[test]
    fn type_change_after_inference_window_falls_back() {
        let mut s = String::from("a\n");
        for i in 0..(INFER_ROWS + 5) {
            s.push_str(&format!("{i}\n"));
        }
        s.push_str("2.5\n");
        let t = csv(&s).unwrap();
        assert_eq!(t.column("a").unwrap().dtype, DType::Float);
    }

    #[test]
    fn quoted_newlines_are_one_value() {
        let t = csv("a,b\n\"x\ny\",1\n").unwrap();
        assert_eq!(t.n_rows, 1);
        assert_eq!(t.column("a").unwrap().text(0).as_deref(), Some("x\ny"));
    }

    /// A file big enough for several chunks: ints, floats with gaps, text.
    fn big_csv(rows: usize) -> String {
        let mut s = String::from("id,x,s,flag\n");
        for i in 0..rows {
            let x = if i % 7 == 0 {
                String::new()
            } else {
                format!("{}.5", i % 13)
            };
            let t = ["a", "bb", "", "a long level name"][i % 4];
            s.push_str(&format!("{i},{x},{t},{}\n", i % 2 == 0));
        }
        s
    }

    #[test]
    fn chunked_parse_equals_whole_file_parse() {
        let text = big_csv(INFER_ROWS + 5_000);
        let whole = read_csv(text.as_bytes(), usize::MAX, &[]).unwrap().0;
        for chunk in [1, 4_096, 100_000] {
            assert!(split_chunks(text.as_bytes(), chunk).len() > 1);
            let t = read_csv(text.as_bytes(), chunk, &[]).unwrap().0;
            assert_eq!(t.n_rows, whole.n_rows, "chunk {chunk}");
            for (a, b) in t.columns.iter().zip(&whole.columns) {
                let same = (0..t.n_rows).all(|r| a.text(r) == b.text(r));
                assert!(
                    same && a.dtype == b.dtype,
                    "chunk {chunk}: column {}",
                    a.name
                );
                if let (Values::Cat { levels: la, .. }, Values::Cat { levels: lb, .. }) =
                    (&a.values, &b.values)
                {
                    assert_eq!(la, lb, "chunk {chunk}: levels of {}", a.name);
                }
            }
        }
        assert_eq!(whole.n_rows, INFER_ROWS + 5_000);
        let s = whole.column("s").unwrap();
        assert_eq!(s.dtype, DType::String);
        assert!(s.is_null(2));
        assert_eq!(s.text(3).as_deref(), Some("a long level name"));
    }

    #[test]
    fn chunks_end_at_line_ends_and_cover_the_file() {
        let text = big_csv(INFER_ROWS + 2_000);
        let body = text.as_bytes();
        let chunks = split_chunks(body, 10_000);
        assert_eq!(chunks.first().map(|r| r.start), Some(0));
        assert_eq!(chunks.last().map(|r| r.end), Some(body.len()));
        for w in chunks.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(body[w[0].end - 1], b'\n');
        }
        // The first chunk holds the header and the whole inference window.
        let first = &body[chunks[0].clone()];
        assert!(first.iter().filter(|&&b| b == b'\n').count() > INFER_ROWS);
        // Quotes anywhere: one chunk (a quoted field may hold a newline).
        let quoted = format!("{text}\"q\n\",1.5,x,true\n");
        assert_eq!(split_chunks(quoted.as_bytes(), 10_000).len(), 1);
    }

    #[test]
    fn type_change_in_a_later_chunk_falls_back_to_the_whole_file() {
        let mut text = big_csv(INFER_ROWS + 3_000);
        text.push_str("oops,1.5,a,true\n");
        let t = read_csv(text.as_bytes(), 4_096, &[]).unwrap().0;
        assert_eq!(t.column("id").unwrap().dtype, DType::String);
        assert_eq!(t.n_rows, INFER_ROWS + 3_001);
    }
}
