//! Text columns of a Parquet file read as their dictionary codes.
//!
//! Spark, pyarrow and pandas write a text column of few values
//! dictionary-encoded: each row group holds its distinct values once and
//! every row as an index into them. polars decodes such a column into a
//! 16-byte view per row (640 MB for two columns of 20M rows), which the
//! loader then hashes back into codes. Read as a dictionary, each row is
//! one small integer, mapped to our code through a table the size of the
//! row group's dictionary. Codes are given in order of first appearance,
//! as the text path gives them: the table is the same either way.
use super::level_code;
use crate::data::table::{Column, DType, Values, NULL_CODE};
use polars::prelude::{ArrowDataType, ArrowField, PlSmallStr};
use polars_arrow::array::{Array, DictionaryArray, Utf8ViewArray};
use polars_arrow::datatypes::IntegerType;
use polars_buffer::Buffer;
use polars_parquet::read::{column_iter_to_arrays, BasicDecompressor, FileMetadata, PageReader};
use std::collections::HashMap;
use std::io::Cursor;

/// polars' mark of a categorical column, which makes its Parquet reader
/// hand back a row group's dictionary and indices as they are (and fail
/// on a page that is not dictionary-encoded).
const CATEGORICAL: &str = "_PL_CATEGORICAL2";

/// Each row group's part of the text column `name`, as indices into that
/// row group's dictionary; `None` when a row group has no dictionary page
/// for it, a page is not dictionary-encoded, or decoding fails: the
/// column is then read as text.
pub(super) fn read_codes(
    bytes: &[u8],
    meta: &FileMetadata,
    name: &str,
) -> Option<Vec<DictionaryArray<u32>>> {
    let dtype = ArrowDataType::Dictionary(
        IntegerType::UInt32,
        Box::new(ArrowDataType::Utf8View),
        false,
    );
    let mut field = ArrowField::new(PlSmallStr::from(name), dtype, true);
    field.metadata = Some(std::sync::Arc::new(
        [(PlSmallStr::from(CATEGORICAL), PlSmallStr::from(""))]
            .into_iter()
            .collect(),
    ));
    let mut out = Vec::with_capacity(meta.row_groups.len());
    for group in &meta.row_groups {
        let mut chunks = group.columns_under_root_iter(name)?;
        let chunk = chunks.next()?;
        if chunks.next().is_some() || chunk.dictionary_page_offset().is_none() {
            return None;
        }
        let range = chunk.byte_range();
        let start = usize::try_from(range.start).ok()?;
        let end = usize::try_from(range.end).ok()?;
        let raw = Buffer::from(bytes.get(start..end)?.to_vec());
        let pages = PageReader::new(Cursor::new(raw), chunk, Vec::new(), usize::MAX);
        let decompressor = BasicDecompressor::new(pages, Vec::new());
        let primitive = &chunk.descriptor().descriptor.primitive_type;
        let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            column_iter_to_arrays(vec![decompressor], vec![primitive], field.clone(), None)
        }));
        let (arrays, _) = decoded.ok()?.ok()?;
        for array in arrays {
            let dict = array.as_any().downcast_ref::<DictionaryArray<u32>>()?;
            out.push(dict.clone());
        }
    }
    Some(out)
}

/// A text column from its row groups' dictionaries and indices.
pub(super) fn coded_column(name: &str, groups: &[DictionaryArray<u32>]) -> Result<Column, String> {
    const UNSEEN: u32 = u32::MAX;
    let mut index = HashMap::default();
    let mut levels = Vec::new();
    let mut codes = Vec::with_capacity(groups.iter().map(Array::len).sum());
    for group in groups {
        let dict = group
            .values()
            .as_any()
            .downcast_ref::<Utf8ViewArray>()
            .ok_or_else(|| format!("column {name:?}: a dictionary that is not text"))?;
        // Our code of each dictionary entry, given when first seen.
        let mut ours = vec![UNSEEN; dict.len()];
        for key in group.keys().iter() {
            let code = match key {
                None => NULL_CODE,
                Some(&k) => match ours.get_mut(k as usize) {
                    Some(c) if *c == UNSEEN => {
                        *c = match dict.get(k as usize) {
                            Some(t) => level_code(&mut index, &mut levels, t),
                            None => NULL_CODE,
                        };
                        *c
                    }
                    Some(c) => *c,
                    None => {
                        return Err(format!(
                            "column {name:?}: an index past its dictionary (the file is corrupt)"
                        ))
                    }
                },
            };
            codes.push(code);
        }
    }
    Ok(Column {
        name: name.to_string(),
        dtype: DType::String,
        values: Values::Cat { codes, levels },
    })
}

#[cfg(test)]
mod tests {
    use super::super::{parquet, to_table};
    use crate::data::table::{Table, Values};

    /// The table read with text as codes, and as polars reads it.
    fn both(bytes: &[u8]) -> (Vec<String>, Table, Table) {
        let read = parquet::read_parquet(bytes).unwrap();
        let coded = read.coded.iter().map(|(n, _)| n.clone()).collect();
        let theirs = to_table(&parquet::polars_only(bytes).unwrap()).unwrap();
        (coded, parquet::into_table(read).unwrap(), theirs)
    }

    #[test]
    fn text_read_as_codes_is_the_table_text_reading_gives() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/dictionary_text.parquet"
        );
        let (coded, ours, theirs) = both(&std::fs::read(path).unwrap());
        // `note` falls back to plain pages and `city` has no dictionary:
        // both are read as text.
        assert_eq!(coded, ["grade"]);
        assert_eq!(ours, theirs);
        let names: Vec<&str> = ours.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["grade", "note", "city", "y"]);
        // Codes in order of first appearance across the row groups, each
        // of which orders its dictionary its own way; nulls stay null.
        let Values::Cat { codes, levels } = &ours.columns[0].values else {
            panic!("grade is text")
        };
        assert_eq!(levels, &["b", "", "a", "é", "d"]);
        assert_eq!(codes.len(), 3000);
        assert_eq!(
            (0..3000).filter(|&r| ours.columns[0].is_null(r)).count(),
            500
        );
    }

    #[test]
    fn a_file_of_coded_text_alone_keeps_its_rows() {
        use super::super::{write_parquet, OutColumn, OutValues};
        let codes: Vec<u32> = (0..5000).map(|i| (i * 7 % 3) as u32).collect();
        // Names that are not distinct are written as plain text, which
        // polars' writer dictionary-encodes.
        let names: Vec<String> = ["x", "y", "x"].map(String::from).to_vec();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let values = OutValues::Text {
            codes: &codes,
            names: &names,
        };
        write_parquet(&path, &[OutColumn { name: "t", values }], 5000).unwrap();
        let (coded, ours, theirs) = both(&std::fs::read(&path).unwrap());
        assert_eq!(coded, ["t"]);
        assert_eq!(ours.n_rows, 5000);
        assert_eq!(ours, theirs);
    }
}
