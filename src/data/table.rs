//! The in-memory table every stage after loading works on.
//!
//! Polars stays inside `data::load`; the rest of the tool sees these plain,
//! compact columns: numbers as `f64` (NaN = missing) and text as dictionary
//! codes (so one-hot, `allowed`, uniqueness and group-bys are integer work).

use std::ops::ControlFlow;

/// Code used for a missing value in a [`Values::Cat`] column.
pub const NULL_CODE: u32 = u32::MAX;

/// The logical type a column had in the source file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DType {
    Integer,
    Float,
    String,
    Boolean,
}

impl DType {
    pub fn name(self) -> &'static str {
        match self {
            DType::Integer => "integer",
            DType::Float => "float",
            DType::String => "string",
            DType::Boolean => "boolean",
        }
    }
}

/// Column values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Integer, float and boolean columns (booleans as 0/1). NaN marks a missing
    /// value; +/-inf are kept as read (the contract reports them).
    Num(Vec<f64>),
    /// Text columns, dictionary-encoded. `codes[i] == NULL_CODE` is missing;
    /// otherwise `levels[codes[i]]` is the value. Levels are in first-seen order.
    Cat {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub dtype: DType,
    pub values: Values,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.values {
            Values::Num(v) => v.len(),
            Values::Cat { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Room for `more` values beyond the present ones, when the allocator
    /// gives it (a guess too large for it is no error: the column then
    /// grows as values come).
    pub fn reserve(&mut self, more: usize) {
        let _room = match &mut self.values {
            Values::Num(v) => v.try_reserve_exact(more),
            Values::Cat { codes, .. } => codes.try_reserve_exact(more),
        };
    }

    pub fn is_null(&self, row: usize) -> bool {
        match &self.values {
            Values::Num(v) => v[row].is_nan(),
            Values::Cat { codes, .. } => codes[row] == NULL_CODE,
        }
    }

    /// The value of `row` as text (missing => None). Numbers print as Rust's
    /// shortest round-trip form, integers without a trailing `.0`.
    pub fn text(&self, row: usize) -> Option<String> {
        match &self.values {
            Values::Num(v) => {
                let x = v[row];
                if x.is_nan() {
                    None
                } else if self.dtype == DType::Boolean {
                    Some(if x != 0.0 { "true" } else { "false" }.to_string())
                } else {
                    Some(format_number(x))
                }
            }
            Values::Cat { codes, levels } => {
                let c = codes[row];
                if c == NULL_CODE {
                    None
                } else {
                    levels.get(c as usize).cloned()
                }
            }
        }
    }

    /// An id of the cell at `row` that equal cells share, as their
    /// [`Column::text`] does: a text level's code, a number by value (`-0`
    /// as `0`, booleans by truth), every missing value `u64::MAX`.
    pub fn cell_id(&self, row: usize) -> u64 {
        let mut id = u64::MAX;
        self.cell_ids(&[row], |_, i| {
            id = i;
            ControlFlow::Break(())
        });
        id
    }

    /// [`Column::cell_id`] of each of `rows` in turn, given to `f` with
    /// the row (the column's kind is matched once, not per row), until
    /// `f` breaks.
    pub fn cell_ids(&self, rows: &[usize], f: impl FnMut(usize, u64) -> ControlFlow<()>) {
        struct Each<'a, F>(&'a [usize], F);
        impl<F: FnMut(usize, u64) -> ControlFlow<()>> WithId<()> for Each<'_, F> {
            fn with(mut self, id: impl Fn(usize) -> u64) {
                for &r in self.0 {
                    if (self.1)(r, id(r)).is_break() {
                        return;
                    }
                }
            }
        }
        self.with_id(Each(rows, f));
    }

    /// Whether the [`Column::cell_id`] of every one of `rows` is among
    /// `among` (up to four ids; given more or none, `true` only for no
    /// rows). Checked without a branch per row: a batch of rows of a
    /// two-valued column is passed over fast.
    pub fn cells_among(&self, rows: &[usize], among: &[u64]) -> bool {
        struct Among<'a>(&'a [usize], [u64; 4]);
        impl WithId<bool> for Among<'_> {
            fn with(self, id: impl Fn(usize) -> u64) -> bool {
                let a = self.1;
                self.0.iter().fold(true, |all, &r| {
                    let i = id(r);
                    all & ((i == a[0]) | (i == a[1]) | (i == a[2]) | (i == a[3]))
                })
            }
        }
        let (Some(&first), true) = (among.first(), among.len() <= 4) else {
            return rows.is_empty();
        };
        let mut a = [first; 4];
        a.iter_mut().zip(among).for_each(|(slot, &id)| *slot = id);
        self.with_id(Among(rows, a))
    }

    /// `user` given this column's cell id of a row, the kind matched once.
    fn with_id<R>(&self, user: impl WithId<R>) -> R {
        match &self.values {
            Values::Cat { codes, .. } => user.with(|r| match codes[r] {
                NULL_CODE => u64::MAX,
                c => u64::from(c),
            }),
            Values::Num(v) if self.dtype == DType::Boolean => user.with(|r| match v[r] {
                x if x.is_nan() => u64::MAX,
                x => u64::from(x != 0.0),
            }),
            Values::Num(v) => user.with(|r| match v[r] {
                x if x.is_nan() => u64::MAX,
                x => (x + 0.0).to_bits(),
            }),
        }
    }

    /// Two of `levels` that spell one number or one truth value (`2.1`
    /// and `2.10`, `1` and `1.0`, `True` and `TRUE`): a number read from
    /// either cannot tell which it was.
    pub fn twin_levels(levels: &[String]) -> Option<(String, String)> {
        twin_pairs(levels).into_iter().next().map(|(_, pair)| pair)
    }

    /// Two of `levels` that spell one number or one truth value
    /// ([`Column::twin_levels`]) that this column of numbers holds at
    /// `rows` (every row for `None`): which level each such row was is
    /// lost. `None` for text, or when no such row holds one.
    pub fn twin_held(&self, levels: &[String], rows: Option<&[usize]>) -> Option<(String, String)> {
        let Values::Num(v) = &self.values else {
            return None;
        };
        let twins: std::collections::HashMap<(bool, u64), (String, String)> =
            twin_pairs(levels).into_iter().collect();
        if twins.is_empty() {
            return None;
        }
        let boolean = self.dtype == DType::Boolean;
        // One pass over the values, each looked up as a number and, in a
        // boolean column, as a truth value.
        let held = |x: f64| {
            if x.is_nan() {
                return None;
            }
            let truth = boolean.then(|| twins.get(&(true, u64::from(x != 0.0))));
            truth
                .flatten()
                .or_else(|| twins.get(&(false, (x + 0.0).to_bits())))
        };
        match rows {
            Some(rows) => rows.iter().find_map(|&r| held(v[r])),
            None => v.iter().find_map(|&x| held(x)),
        }
        .cloned()
    }

    /// This column as text, each value as [`Column::text`] spells it
    /// (integers without `.0`, booleans `true`/`false`); text unchanged.
    pub fn to_text(&self) -> Column {
        self.to_text_like(&[])
    }

    /// This column as text, each value spelled as one of `levels` that
    /// means the same where there is one: a number as the level that reads
    /// as that number (`3.0` or `007` for 3, when [`Column::text`]'s `3` is
    /// not a level itself), a boolean as a `true`/`false` level in any case
    /// (`True`, as pandas writes it). Other values as [`Column::text`]
    /// spells them; text unchanged.
    pub fn to_text_like(&self, levels: &[String]) -> Column {
        if let Values::Cat { .. } = self.values {
            return self.clone();
        }
        let known: std::collections::HashSet<&str> = levels.iter().map(String::as_str).collect();
        // The level of each number and each truth value; two levels of one
        // (`3` and `3.0`, `True` and `TRUE`): neither is chosen.
        let mut meaning: std::collections::HashMap<(bool, u64), Option<&str>> = Default::default();
        for l in levels {
            for key in meaning_keys(l) {
                meaning
                    .entry(key)
                    .and_modify(|v| *v = None)
                    .or_insert(Some(l.as_str()));
            }
        }
        let spelled = |r: usize, plain: String| -> String {
            if known.contains(plain.as_str()) {
                return plain;
            }
            let Values::Num(v) = &self.values else {
                return plain;
            };
            let x = v[r] + 0.0;
            let as_number = || meaning.get(&(false, x.to_bits())).copied().flatten();
            let level = if self.dtype == DType::Boolean {
                let truth = u64::from(x != 0.0);
                meaning
                    .get(&(true, truth))
                    .copied()
                    .flatten()
                    .or_else(as_number)
            } else {
                as_number()
            };
            level.map_or(plain, str::to_string)
        };
        let mut index: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut out = Vec::new();
        // Each distinct value is spelled once, found by its cell id.
        let codes = (0..self.len())
            .map(|r| {
                if self.is_null(r) {
                    return NULL_CODE;
                }
                *index.entry(self.cell_id(r)).or_insert_with(|| {
                    out.push(spelled(r, self.text(r).unwrap_or_default()));
                    (out.len() - 1) as u32
                })
            })
            .collect();
        Column {
            name: self.name.clone(),
            dtype: DType::String,
            values: Values::Cat { codes, levels: out },
        }
    }

    /// A new column holding only `rows` (in that order).
    pub fn take(&self, rows: &[usize]) -> Column {
        let values = match &self.values {
            Values::Num(v) => Values::Num(rows.iter().map(|&r| v[r]).collect()),
            Values::Cat { codes, levels } => Values::Cat {
                codes: rows.iter().map(|&r| codes[r]).collect(),
                levels: levels.clone(),
            },
        };
        Column {
            name: self.name.clone(),
            dtype: self.dtype,
            values,
        }
    }
}

/// What a text level means as a value: `(false, bits)` for a number,
/// `(true, 0 or 1)` for a truth word (`True`, `false`, any case).
/// Each meaning ([`meaning_keys`]) two of `levels` spell, with the first
/// two that do, in the order `levels` first show them.
fn twin_pairs(levels: &[String]) -> Vec<((bool, u64), (String, String))> {
    let mut seen: std::collections::HashMap<(bool, u64), &String> = Default::default();
    let mut pairs = Vec::new();
    for l in levels {
        for key in meaning_keys(l) {
            match seen.get(&key) {
                None => {
                    seen.insert(key, l);
                }
                Some(first) if !pairs.iter().any(|(k, _)| *k == key) => {
                    pairs.push((key, ((*first).clone(), l.clone())));
                }
                Some(_) => {}
            }
        }
    }
    pairs
}

fn meaning_keys(level: &str) -> impl Iterator<Item = (bool, u64)> {
    let t = level.trim();
    let number = t.parse::<f64>().ok().filter(|x| x.is_finite());
    let truth = ["false", "true"]
        .iter()
        .position(|w| t.eq_ignore_ascii_case(w));
    number
        .map(|x| (false, (x + 0.0).to_bits()))
        .into_iter()
        .chain(truth.map(|i| (true, i as u64)))
}

/// Prints integers without a fractional part and other numbers in shortest form.
pub fn format_number(x: f64) -> String {
    let mut s = String::new();
    write_number(&mut s, x);
    s
}

/// [`format_number`] appended to `buf` (no allocation once `buf` has room).
pub fn write_number(buf: &mut String, x: f64) {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        // `{}` of the i64, the same bytes, without the formatter.
        buf.push_str(itoa::Buffer::new().format(x as i64));
    } else {
        write_shortest(buf, x, false);
    }
}

/// `x` appended as `{x}` (`debug` false) or `{x:?}` prints it, the same
/// bytes, faster: the shortest round-trip digits.
///
/// Where both notations are plain decimals (a magnitude in [1e-4, 1e5))
/// the digits come from `zmij`. Two correct shortest-digit writers can
/// only differ when the value lies exactly halfway between two shortest
/// candidates (the standard library rounds such a tie up, `zmij` to
/// even), which needs the exact binary value to end within 18
/// significant digits; values with at most 22 fractional digits (every
/// number that short, and whole numbers) therefore take the standard
/// path, as does everything outside the range.
pub fn write_shortest(buf: &mut String, x: f64, debug: bool) {
    use std::fmt::Write as _;
    if tie_free(x) {
        buf.push_str(zmij::Buffer::new().format_finite(x));
    } else if debug {
        let _ = write!(buf, "{x:?}");
    } else {
        let _ = write!(buf, "{x}");
    }
}

/// Whether `x` is a plain-decimal magnitude whose exact value has more
/// than 22 fractional decimal digits (see [`write_shortest`]).
fn tie_free(x: f64) -> bool {
    let a = x.abs();
    if !(1e-4..1e5).contains(&a) {
        return false;
    }
    // Normal here: a = m * 2^e exactly, with m odd once its trailing zero
    // bits move into e, and then it has exactly -e fractional digits.
    let bits = a.to_bits();
    let m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let e = ((bits >> 52) & 0x7ff) as i64 - 1075 + i64::from(m.trailing_zeros());
    -e > 22
}

/// A loaded dataset: equal-length named columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub n_rows: usize,
}

impl Table {
    /// The first column whose length is not the row count (a corrupt file
    /// can decode that way), with its length.
    pub fn ragged_column(&self) -> Option<(&str, usize)> {
        self.columns
            .iter()
            .find(|c| c.len() != self.n_rows)
            .map(|c| (c.name.as_str(), c.len()))
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Puts each of `columns` in the place of this table's column of the
    /// same name (one it lacks is left out), returning the columns taken.
    pub fn swap_columns(&mut self, columns: Vec<Column>) -> Vec<Column> {
        let mut taken = Vec::new();
        for col in columns {
            if let Some(slot) = self.columns.iter_mut().find(|c| c.name == col.name) {
                taken.push(std::mem::replace(slot, col));
            }
        }
        taken
    }

    /// Each column this table holds as numbers or booleans where `like`
    /// holds it as text, turned to text spelled as `like`'s levels
    /// ([`Column::to_text_like`]): a Parquet file of values another file
    /// of the same data writes as text (`True`, `3.0`, `007`).
    /// Returns the columns whose levels spell one value twice ([`Twins`]).
    pub fn spell_like(&mut self, like: &Table) -> Vec<Twins> {
        let numbers = |name: &str| {
            self.column(name)
                .is_some_and(|c| matches!(c.values, Values::Num(_)))
        };
        let text: Vec<(String, Vec<String>)> = like
            .columns
            .iter()
            .filter(|c| numbers(&c.name))
            .filter_map(|c| match &c.values {
                Values::Cat { levels, .. } => Some((c.name.clone(), levels.clone())),
                Values::Num(_) => None,
            })
            .collect();
        self.spell_as(&text)
    }

    /// Each column named in `names` that this table holds as text whose
    /// present cells nearly all (99%) read as numbers (codes `1`, `2`, `3`
    /// with a few `X`), turned to numbers, the rest missing.
    pub fn numbers_as(&mut self, names: &[String]) {
        for col in self.columns.iter_mut().filter(|c| names.contains(&c.name)) {
            let Values::Cat { codes, levels } = &col.values else {
                continue;
            };
            let nums: Vec<f64> = levels
                .iter()
                .map(|l| {
                    l.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .unwrap_or(f64::NAN)
                })
                .collect();
            let value = |c: u32| nums.get(c as usize).copied().unwrap_or(f64::NAN);
            let present = codes.iter().filter(|&&c| c != NULL_CODE).count();
            let numbers = codes.iter().filter(|&&c| !value(c).is_nan()).count();
            if numbers == 0 || (numbers as f64) < 0.99 * present as f64 {
                continue;
            }
            let v = codes.iter().map(|&c| value(c)).collect();
            col.values = Values::Num(v);
            col.dtype = DType::Float;
        }
    }

    /// Each column named in `text` that this table holds as numbers or
    /// booleans, turned to text spelled as its levels there. Returns the
    /// columns where two levels spell one value ([`Column::twin_levels`]):
    /// which one each row held is lost.
    pub fn spell_as(&mut self, text: &[(String, Vec<String>)]) -> Vec<Twins> {
        let twins = self.twins(text);
        for (name, levels) in text {
            if let Some(col) = self.columns.iter_mut().find(|c| &c.name == name) {
                if matches!(col.values, Values::Num(_)) {
                    *col = col.to_text_like(levels);
                }
            }
        }
        twins
    }

    /// Each column named in `text` that this table holds as numbers where
    /// two of its levels there spell one value a row holds
    /// ([`Column::twin_held`]).
    pub fn twins(&self, text: &[(String, Vec<String>)]) -> Vec<Twins> {
        text.iter()
            .filter_map(|(name, levels)| {
                Some(Twins {
                    column: name.clone(),
                    levels: self.column(name)?.twin_held(levels, None)?,
                })
            })
            .collect()
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// A new table holding only `rows` (in that order).
    pub fn take(&self, rows: &[usize]) -> Table {
        Table {
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
            n_rows: rows.len(),
        }
    }
}

/// A column of numbers spelled as text levels two of which spell one
/// value (`10` and `10.0`): which one each row held is lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Twins {
    pub column: String,
    pub levels: (String, String),
}

impl Twins {
    /// What a reader should know: `these` hold the numbers, and `whose`
    /// says who has the levels (`the training file writes`).
    pub fn note(&self, these: &str, whose: &str) -> String {
        let (a, b) = &self.levels;
        format!(
            "{these}: column {:?} holds numbers or booleans where {whose} text codes, \
             two of which spell one value ({a:?} and {b:?}): which one each row held is lost, \
             so the rows read as one of them or neither (give these rows as CSV, their written \
             text)",
            self.column
        )
    }
}

/// What runs over a column's cell ids ([`Column::with_id`]).
trait WithId<R> {
    fn with(self, id: impl Fn(usize) -> u64) -> R;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_count_only_when_a_row_holds_their_value() {
        let levels: Vec<String> = ["10", "10.0", "3", "True", "TRUE"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let numbers = |v: Vec<f64>, dtype: DType| Column {
            name: "c".into(),
            dtype,
            values: Values::Num(v),
        };
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        let held = |v: Vec<f64>| numbers(v, DType::Float).twin_held(&levels, None);
        assert_eq!(held(vec![3.0, 10.0, f64::NAN]), pair("10", "10.0"));
        assert_eq!(held(vec![3.0, 7.0, f64::NAN]), None);
        // 1.0 is a truth value only in a boolean column.
        assert_eq!(held(vec![1.0]), None);
        let flags = numbers(vec![0.0, 1.0], DType::Boolean);
        assert_eq!(flags.twin_held(&levels, None), pair("True", "TRUE"));
        // Only the rows asked about count.
        let mixed = numbers(vec![10.0, 3.0], DType::Float);
        assert_eq!(mixed.twin_held(&levels, Some(&[1])), None);
        assert_eq!(mixed.twin_held(&levels, Some(&[1, 0])), pair("10", "10.0"));
        let text = Column {
            name: "c".into(),
            dtype: DType::String,
            values: Values::Cat {
                codes: vec![0],
                levels: vec!["10".into()],
            },
        };
        assert_eq!(text.twin_held(&levels, None), None);
    }

    fn texts(c: &Column) -> Vec<Option<String>> {
        (0..c.len()).map(|r| c.text(r)).collect()
    }

    #[test]
    fn room_the_allocator_refuses_is_no_error() {
        // A part directory's row guess can be far off (a first part of
        // constants compresses to a few bytes): never a panic or an abort.
        for values in [
            Values::Num(vec![1.0]),
            Values::Cat {
                codes: vec![0],
                levels: vec!["a".into()],
            },
        ] {
            let mut c = Column {
                name: "x".into(),
                dtype: DType::Float,
                values,
            };
            c.reserve(usize::MAX / 4);
            c.reserve(1 << 50);
            c.reserve(10);
            assert_eq!(c.len(), 1);
            assert!(match &c.values {
                Values::Num(v) => v.capacity() >= 11,
                Values::Cat { codes, .. } => codes.capacity() >= 11,
            });
        }
    }

    #[test]
    fn numbers_and_booleans_are_spelled_as_the_levels_that_mean_them() {
        let num = |dtype, v: Vec<f64>| Column {
            name: "c".into(),
            dtype,
            values: Values::Num(v),
        };
        let levels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let s = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        let floats = num(DType::Float, vec![3.0, 1.0, 2.5, -0.0]);
        // `3.0` for 3 (pandas), `007`-style codes, and a value no level means.
        let got = floats.to_text_like(&levels(&["3.0", "01", "X", "0"]));
        assert_eq!(texts(&got), s(&["3.0", "01", "2.5", "0"]));
        // A level spelled as the number is would be is kept as it is.
        let got = floats.to_text_like(&levels(&["3", "3.0"]));
        assert_eq!(texts(&got)[0].as_deref(), Some("3"));
        // Two levels of one number: neither is chosen.
        let got = num(DType::Float, vec![1.0]).to_text_like(&levels(&["1.0", "01"]));
        assert_eq!(texts(&got), s(&["1"]));
        let flags = num(DType::Boolean, vec![1.0, 0.0, f64::NAN]);
        let got = flags.to_text_like(&levels(&["True", "False", "unknown"]));
        assert_eq!(
            texts(&got),
            vec![Some("True".into()), Some("False".into()), None]
        );
        let got = flags.to_text_like(&levels(&["1", "0", "x"]));
        assert_eq!(texts(&got)[..2], s(&["1", "0"]));
        assert_eq!(texts(&flags.to_text()), texts(&flags));
        assert_eq!(got.dtype, DType::String);
    }

    #[test]
    fn cells_share_an_id_when_they_share_their_text() {
        let flags = Column {
            name: "flag".into(),
            dtype: DType::Boolean,
            values: Values::Num(vec![1.0, f64::NAN, 0.0, 1.0]),
        };
        let ids: Vec<u64> = (0..4).map(|r| flags.cell_id(r)).collect();
        // A missing boolean is its own id, never `true` (NaN != 0).
        assert_eq!(ids, [1, u64::MAX, 0, 1]);
        let n = Column {
            name: "n".into(),
            dtype: DType::Float,
            values: Values::Num(vec![-0.0, 0.0, f64::NAN]),
        };
        assert_eq!(n.cell_id(0), n.cell_id(1));
        assert_eq!(n.text(0), n.text(1));
        assert_eq!(n.cell_id(2), u64::MAX);
    }

    /// A batch is among some ids exactly when each of its cell ids is one of
    /// them, for text (missing codes too), booleans and numbers.
    #[test]
    fn cells_among_agrees_with_cell_ids() {
        let columns = [
            Column {
                name: "t".into(),
                dtype: DType::String,
                values: Values::Cat {
                    codes: vec![0, 1, NULL_CODE, 1, 2],
                    levels: vec!["a".into(), "b".into(), "c".into()],
                },
            },
            Column {
                name: "f".into(),
                dtype: DType::Boolean,
                values: Values::Num(vec![1.0, 0.0, f64::NAN, 2.0, 0.0]),
            },
            Column {
                name: "n".into(),
                dtype: DType::Float,
                values: Values::Num(vec![-0.0, 0.5, f64::NAN, 0.0, 7.0]),
            },
        ];
        for c in &columns {
            let ids: Vec<u64> = (0..5).map(|r| c.cell_id(r)).collect();
            for rows in [
                vec![],
                vec![0],
                vec![0, 3],
                vec![1, 3, 0],
                vec![2, 4],
                vec![0, 1, 2, 3, 4],
            ] {
                for among in [&ids[..1], &ids[..2], &ids[1..4], &ids[..4], &ids[2..]] {
                    let want = rows.iter().all(|&r| among.contains(&ids[r]));
                    let got = c.cells_among(&rows, among);
                    assert_eq!(
                        got,
                        want && among.len() <= 4,
                        "{} {rows:?} {among:?}",
                        c.name
                    );
                }
            }
            assert!(!c.cells_among(&[0], &[]));
            assert!(c.cells_among(&[], &[]));
            // More than four ids: no rows are among them.
            let five = [ids[0], ids[1], ids[2], ids[3], ids[4]];
            assert!(!c.cells_among(&[0], &five));
            assert!(c.cells_among(&[], &five));
        }
    }

    /// The fast path writes exactly the standard library's bytes: on random
    /// bit patterns, on random magnitudes across and around [1e-4, 1e5),
    /// and on the halfway values where `zmij` and the standard library
    /// choose different last digits (525967.71728515625 prints
    /// ...563 here, ...562 from `zmij`).
    #[test]
    fn shortest_text_equals_the_standard_library() {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut values = vec![
            525_967.717_285_156_3,
            f64::from_bits(0x4120_0d1f_6f40_0000),
            f64::from_bits(0x4134_ffcd_d3a0_0000),
            1e-4,
            9.999_999_999_999_999e-5,
            99_999.999_999_999_99,
            1e5,
            0.1 + 0.2,
            -0.0,
            0.5,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ];
        for _ in 0..200_000 {
            let r = next();
            values.push(f64::from_bits(r));
            let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
            let magnitude = 10f64.powf((r % 1300) as f64 / 100.0 - 6.0);
            values.push(if r & 1 == 1 { -unit } else { unit } * magnitude);
        }
        let mut buf = String::new();
        for x in values {
            for debug in [false, true] {
                buf.clear();
                write_shortest(&mut buf, x, debug);
                let std = if debug {
                    format!("{x:?}")
                } else {
                    format!("{x}")
                };
                assert_eq!(buf, std, "bits {:#x}", x.to_bits());
            }
        }
        let halfway = f64::from_bits(0x4120_0d1f_6f40_0000);
        assert!(!tie_free(halfway));
        assert_eq!(format!("{halfway:?}"), "525967.7172851563");
        assert_ne!(zmij::Buffer::new().format(halfway), "525967.7172851563");
    }
}
