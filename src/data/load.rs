//! Loading CSV and Parquet files into a [`Table`]. The only module that
//! touches polars (pinned `=0.55.2`; its API breaks between minor versions).
use super::table::{Column, DType, Table, Values, NULL_CODE};
use crate::error::GateError;
use polars::prelude::{
    ArrowDataType, CsvParseOptions, CsvReadOptions, DataFrame, DataType, NullValues, ParquetReader,
    SerReader,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// A loaded file: its table and the sha256 of its bytes.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub table: Table,
    pub sha256: String,
}

/// Rows polars looks at to guess column types before falling back to all rows.
const INFER_ROWS: usize = 10_000;

/// Reads `path` (`.parquet` / `.pq` as Parquet, anything else as CSV).
pub fn load(path: &Path) -> Result<Loaded, GateError> {
    let shown = path.display();
    if path.is_dir() {
        return Err(GateError::Data(format!(
            "{shown}: is a directory, expected a CSV or Parquet file"
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| GateError::Data(format!("{shown}: cannot read data file: {e}")))?;
    if bytes.is_empty() {
        return Err(GateError::Data(format!("{shown}: the file is empty")));
    }
    // Hash on one thread while polars parses on the others.
    let (sha256, df) = std::thread::scope(|s| {
        let hasher = s.spawn(|| crate::config::sha256_hex(&bytes));
        let df = if is_parquet(path) {
            read_parquet(&bytes)
        } else {
            read_csv(&bytes)
        };
        (hasher.join().unwrap_or_default(), df)
    });
    let df = df.map_err(|m| GateError::Data(format!("{shown}: {m}")))?;
    let mut table = to_table(&df).map_err(|m| GateError::Data(format!("{shown}: {m}")))?;
    if table.n_rows == 0 {
        return Err(GateError::Data(format!("{shown}: {NO_ROWS}")));
    }
    if !is_parquet(path) {
        table.columns.iter_mut().for_each(numeric_text_to_float);
    }
    Ok(Loaded { table, sha256 })
}

fn is_parquet(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("parquet" | "pq")
    )
}

fn read_parquet(bytes: &[u8]) -> Result<DataFrame, String> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = reader
        .schema()
        .map_err(|e| format!("cannot read Parquet: {e}"))?;
    // Name a nested column before polars fails on it with a type dump.
    for field in schema.iter_values() {
        if let Some(kind) = nested_kind(&field.dtype) {
            return Err(format!(
                "column {:?} has unsupported type {kind}; use integer, float, boolean or text columns",
                field.name.as_str()
            ));
        }
    }
    reader
        .finish()
        .map_err(|e| format!("cannot read Parquet: {e}"))
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

fn read_csv(bytes: &[u8]) -> Result<DataFrame, String> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(body) {
        let line = body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        return Err(format!(
            "not valid UTF-8 at byte {} (line {line}); re-encode the file as UTF-8",
            e.valid_up_to()
        ));
    }
    check_header(body)?;
    if super::shape::check(body)?.records == 0 {
        return Err(NO_ROWS.to_string());
    }
    match parse_csv(body, Some(INFER_ROWS)) {
        Ok(df) => Ok(df),
        // A column whose type changes after the first rows: infer from all rows.
        Err(_) => parse_csv(body, None),
    }
    .map_err(|e| format!("cannot parse CSV: {}", tidy_polars_error(&e.to_string())))
}

/// The error for a file with a header (or a schema) but no rows.
const NO_ROWS: &str = "no data rows (the file has a header only)";

/// A CSV text column whose every value is a number polars does not read
/// (`Infinity`, `-Infinity`, `+inf`) becomes a float column, so the model and
/// the contract's `finite` rule see numbers. Real text fails on its first level.
fn numeric_text_to_float(col: &mut Column) {
    let Values::Cat { codes, levels } = &col.values else {
        return;
    };
    let nums: Option<Vec<f64>> = levels.iter().map(|l| l.trim().parse().ok()).collect();
    let Some(nums) = nums.filter(|n| !n.is_empty()) else {
        return;
    };
    let v = codes
        .iter()
        .map(|&c| nums.get(c as usize).copied().unwrap_or(f64::NAN))
        .collect();
    col.dtype = DType::Float;
    col.values = Values::Num(v);
}

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

fn parse_csv(body: &[u8], infer: Option<usize>) -> polars::prelude::PolarsResult<DataFrame> {
    let nulls = NullValues::AllColumns(["", "NA", "null", "NULL", "NaN"].map(Into::into).to_vec());
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer)
        .with_parse_options(CsvParseOptions::default().with_null_values(Some(nulls)))
        .into_reader_with_file_handle(Cursor::new(body))
        .finish()
}

/// Rejects an empty header and duplicate column names before polars renames them.
fn check_header(body: &[u8]) -> Result<(), String> {
    let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let line = String::from_utf8_lossy(&body[..end]);
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() {
        return Err("the first line (the header) is empty".to_string());
    }
    let mut seen = std::collections::HashSet::new();
    for name in line.split(',').map(|n| n.trim().trim_matches('"')) {
        if !seen.insert(name) {
            return Err(format!("duplicate column name {name:?} in the header"));
        }
    }
    Ok(())
}

/// Converts a polars frame to our columns, one column per rayon task.
fn to_table(df: &DataFrame) -> Result<Table, String> {
    let columns: Result<Vec<Column>, String> = df
        .columns()
        .par_iter()
        .map(|c| convert(c.as_materialized_series()))
        .collect();
    Ok(Table {
        columns: columns?,
        n_rows: df.height(),
    })
}

fn convert(s: &polars::prelude::Series) -> Result<Column, String> {
    let name = s.name().to_string();
    let dtype = s.dtype();
    let (dtype, values) = if dtype.is_integer() {
        (DType::Integer, Values::Num(numeric(s)?))
    } else if dtype.is_float() {
        (DType::Float, Values::Num(numeric(s)?))
    } else if matches!(dtype, DataType::Boolean) {
        (DType::Boolean, Values::Num(numeric(s)?))
    } else if matches!(dtype, DataType::String) {
        (DType::String, text(s)?)
    } else if matches!(dtype, DataType::Null) {
        (DType::Float, Values::Num(vec![f64::NAN; s.len()]))
    } else {
        return Err(format!("column {name:?} has unsupported type {dtype}; use integer, float, boolean or text columns"));
    };
    Ok(Column {
        name,
        dtype,
        values,
    })
}

fn numeric(s: &polars::prelude::Series) -> Result<Vec<f64>, String> {
    let cast = s
        .cast(&DataType::Float64)
        .map_err(|e| format!("column {:?}: {e}", s.name()))?;
    let ca = cast
        .f64()
        .map_err(|e| format!("column {:?}: {e}", s.name()))?;
    Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

fn text(s: &polars::prelude::Series) -> Result<Values, String> {
    let ca = s.str().map_err(|e| format!("column {:?}: {e}", s.name()))?;
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut levels: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    for v in ca.iter() {
        let code = match v {
            None => NULL_CODE,
            Some(t) => *index.entry(t).or_insert_with(|| {
                levels.push(t.to_string());
                (levels.len() - 1) as u32
            }),
        };
        codes.push(code);
    }
    Ok(Values::Cat { codes, levels })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Result<Table, String> {
        read_csv(text.as_bytes()).and_then(|df| to_table(&df))
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
    fn bom_is_stripped() {
        let t = csv("\u{feff}a,b\n1,2\n").unwrap();
        assert_eq!(t.column_names(), vec!["a", "b"]);
    }

    #[test]
    fn non_utf8_is_an_error() {
        let e = read_csv(b"a,b\n1,\xff\xfe\n").unwrap_err();
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
}
