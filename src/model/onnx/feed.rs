//! Input planning: how data columns become the model's input tensors.
//!
//! Two shapes of model are supported:
//! - **one tensor input** (float or double, shape `[N, k]`), fed the given
//!   columns in the given order (`[model] inputs`, else the data's feature
//!   columns): `k` must equal the number of columns;
//! - **one input per column** (as skl2onnx makes from a DataFrame pipeline),
//!   fed by name: text inputs as string tensors, numeric inputs as the
//!   declared float/double/int64/int32/bool type, each `[N, 1]` (or `[N]`
//!   when the model declares rank 1).
//!
//! Missing numbers are fed as NaN to float/double inputs (the model's own
//! imputer decides); a missing value for an integer or boolean input is an
//! error naming the column. Missing text is fed as the empty string.
use super::{ColumnRef, OnnxError};
use ort::value::{DynValue, Outlet, Tensor, TensorElementType, ValueType};

/// Element types an input can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    F32,
    F64,
    I64,
    I32,
    Bool,
    Str,
}

impl Elem {
    fn of(ty: TensorElementType) -> Option<Elem> {
        Some(match ty {
            TensorElementType::Float32 => Elem::F32,
            TensorElementType::Float64 => Elem::F64,
            TensorElementType::Int64 => Elem::I64,
            TensorElementType::Int32 => Elem::I32,
            TensorElementType::Bool => Elem::Bool,
            TensorElementType::String => Elem::Str,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Elem::F32 => "float",
            Elem::F64 => "double",
            Elem::I64 => "int64",
            Elem::I32 => "int32",
            Elem::Bool => "bool",
            Elem::Str => "string",
        }
    }
}

/// One model input fed from one column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInput {
    pub name: String,
    pub elem: Elem,
    /// Declared rank 1 (`[N]`) rather than `[N, 1]`.
    pub rank1: bool,
}

/// How the model's inputs are fed.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// One float/double tensor `[N, width]` fed the given columns in order.
    Tensor {
        name: String,
        elem: Elem,
        /// The declared width, when fixed.
        width: Option<usize>,
    },
    /// One input per column, fed by name.
    PerColumn(Vec<ColumnInput>),
}

/// Plans the feeding of a session's `inputs`.
pub fn plan(inputs: &[Outlet]) -> Result<Plan, String> {
    let mut described = Vec::new();
    for input in inputs {
        let ValueType::Tensor { ty, shape, .. } = input.dtype() else {
            return Err(format!(
                "model input `{}` is not a tensor ({}); only tensor inputs are supported",
                input.name(),
                input.dtype()
            ));
        };
        let Some(elem) = Elem::of(*ty) else {
            return Err(format!(
                "model input `{}` has element type {ty}; supported: float, double, int64, int32, bool, string",
                input.name()
            ));
        };
        described.push((input.name().to_string(), elem, shape.to_vec()));
    }
    match described.as_slice() {
        [] => Err("the model has no inputs".into()),
        [(name, elem @ (Elem::F32 | Elem::F64), shape)] if shape.len() == 2 => Ok(Plan::Tensor {
            name: name.clone(),
            elem: *elem,
            width: usize::try_from(shape[1]).ok(),
        }),
        _ => {
            let mut cols = Vec::new();
            for (name, elem, shape) in described {
                if shape.len() > 2 || shape.get(1).is_some_and(|&d| d > 1) {
                    return Err(format!(
                        "model input `{name}` has shape {shape:?}; a model with several inputs must take one column per input ([N, 1] or [N])"
                    ));
                }
                cols.push(ColumnInput {
                    name,
                    elem,
                    rank1: shape.len() == 1,
                });
            }
            Ok(Plan::PerColumn(cols))
        }
    }
}

/// Typed values of one input for a run, row-major.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    Bool(Vec<bool>),
    Str(Vec<String>),
}

/// One input's values and shape, ready to become an ONNX Runtime tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Data,
}

impl Feed {
    /// The named tensor ONNX Runtime takes.
    pub fn into_value(self) -> Result<(String, DynValue), String> {
        let shape = self.shape;
        let v = match self.data {
            Data::F32(v) => Tensor::from_array((shape, v)).map(|t| t.into_dyn()),
            Data::F64(v) => Tensor::from_array((shape, v)).map(|t| t.into_dyn()),
            Data::I64(v) => Tensor::from_array((shape, v)).map(|t| t.into_dyn()),
            Data::I32(v) => Tensor::from_array((shape, v)).map(|t| t.into_dyn()),
            Data::Bool(v) => Tensor::from_array((shape, v)).map(|t| t.into_dyn()),
            Data::Str(v) => Tensor::from_string_array((shape, v.as_slice())).map(|t| t.into_dyn()),
        };
        match v {
            Ok(v) => Ok((self.name, v)),
            Err(e) => Err(format!("cannot build input `{}`: {e}", self.name)),
        }
    }
}

/// The columns `plan` reads when fed by name (`None` for a tensor model,
/// which takes whatever columns it is given, in order).
pub fn input_columns(plan: &Plan) -> Option<Vec<String>> {
    match plan {
        Plan::Tensor { .. } => None,
        Plan::PerColumn(cols) => Some(cols.iter().map(|c| c.name.clone()).collect()),
    }
}

/// The number of rows of `columns` (all must agree).
pub fn row_count(columns: &[(&str, ColumnRef<'_>)]) -> Result<usize, OnnxError> {
    let mut n = None;
    for (name, col) in columns {
        let len = col.len();
        match n {
            None => n = Some(len),
            Some(m) if m != len => {
                return Err(OnnxError::Input(format!(
                    "column `{name}` has {len} rows, the others {m}"
                )))
            }
            Some(_) => {}
        }
    }
    Ok(n.unwrap_or(0))
}

/// Checks `columns` against `plan` once, before any batch runs: every
/// by-name input present (the error names all missing ones), the tensor
/// width right. Returns the columns in feeding order.
pub fn resolve<'c, 'a>(
    plan: &Plan,
    columns: &'c [(&'c str, ColumnRef<'a>)],
) -> Result<Vec<&'c (&'c str, ColumnRef<'a>)>, OnnxError> {
    match plan {
        Plan::Tensor { name, width, .. } => {
            // A one-wide tensor named like a given column takes that column
            // (a single-column DataFrame model looks like a tensor model).
            if *width == Some(1) && columns.len() != 1 {
                if let Some(c) = columns.iter().find(|(n, _)| n == name) {
                    return Ok(vec![c]);
                }
            }
            if let Some(w) = *width {
                if w != columns.len() {
                    let given: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
                    return Err(OnnxError::Input(format!(
                        "the model's input `{name}` expects {w} columns, {} given ({}); set [model] inputs to the {w} columns the model was trained on, in order",
                        columns.len(),
                        given.join(", ")
                    )));
                }
            }
            if columns.is_empty() {
                return Err(OnnxError::Input(format!(
                    "no columns to feed the model's input `{name}`"
                )));
            }
            Ok(columns.iter().collect())
        }
        Plan::PerColumn(inputs) => {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for input in inputs {
                match columns.iter().find(|(n, _)| *n == input.name) {
                    Some(c) => found.push(c),
                    None => missing.push(input.name.as_str()),
                }
            }
            if !missing.is_empty() {
                return Err(OnnxError::Input(format!(
                    "the model needs column{} the data lacks: {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                )));
            }
            Ok(found)
        }
    }
}

/// The feeds for `rows` of the resolved `columns` (from [`resolve`]).
pub fn build(
    plan: &Plan,
    columns: &[&(&str, ColumnRef<'_>)],
    rows: &[usize],
) -> Result<Vec<Feed>, OnnxError> {
    let n = rows.len();
    match plan {
        Plan::Tensor { name, elem, .. } => {
            let k = columns.len();
            let mut values = vec![0.0f64; n * k];
            for (j, (col_name, col)) in columns.iter().enumerate() {
                let ColumnRef::Num(v) = col else {
                    return Err(OnnxError::Input(format!(
                        "text column `{col_name}` cannot feed the model's {} tensor input `{name}`; leave it out of [model] inputs or encode it in the model",
                        elem.name()
                    )));
                };
                for (i, &r) in rows.iter().enumerate() {
                    values[i * k + j] = v[r];
                }
            }
            let data = match elem {
                Elem::F32 => Data::F32(values.iter().map(|&x| x as f32).collect()),
                _ => Data::F64(values),
            };
            Ok(vec![Feed {
                name: name.clone(),
                shape: vec![n, k],
                data,
            }])
        }
        Plan::PerColumn(inputs) => inputs
            .iter()
            .zip(columns)
            .map(|(input, (col_name, col))| {
                let data = column_data(input, col_name, col, rows)?;
                let shape = if input.rank1 { vec![n] } else { vec![n, 1] };
                Ok(Feed {
                    name: input.name.clone(),
                    shape,
                    data,
                })
            })
            .collect(),
    }
}

/// One column's `rows` as `input`'s element type.
fn column_data(
    input: &ColumnInput,
    col_name: &str,
    col: &ColumnRef<'_>,
    rows: &[usize],
) -> Result<Data, OnnxError> {
    if input.elem == Elem::Str {
        return Ok(Data::Str(rows.iter().map(|&r| col.text(r)).collect()));
    }
    let ColumnRef::Num(v) = col else {
        return Err(OnnxError::Input(format!(
            "column `{col_name}` is text but the model's input `{}` is {}",
            input.name,
            input.elem.name()
        )));
    };
    let int = |r: usize| -> Result<f64, OnnxError> {
        let x = v[r];
        if x.is_nan() {
            return Err(OnnxError::Input(format!(
                "column `{col_name}` has a missing value (row {r}) but the model's input `{}` is {}, which cannot hold one; fill it before scoring",
                input.name,
                input.elem.name()
            )));
        }
        if x.fract() != 0.0 || !x.is_finite() {
            return Err(OnnxError::Input(format!(
                "column `{col_name}` has the non-integer value {x} (row {r}) but the model's input `{}` is {}",
                input.name,
                input.elem.name()
            )));
        }
        Ok(x)
    };
    // `x` when it lies in [-2^bits, 2^bits), the range of a signed integer
    // of `bits + 1` bits.
    let fitting = |x: f64, bits: i32, r: usize| -> Result<f64, OnnxError> {
        let end = 2f64.powi(bits);
        if (-end..end).contains(&x) {
            return Ok(x);
        }
        Err(OnnxError::Input(format!(
            "column `{col_name}` value {x} (row {r}) does not fit the model's {} input `{}`",
            input.elem.name(),
            input.name
        )))
    };
    Ok(match input.elem {
        Elem::F32 => Data::F32(rows.iter().map(|&r| v[r] as f32).collect()),
        Elem::F64 => Data::F64(rows.iter().map(|&r| v[r]).collect()),
        // An integer past the input type's range would saturate silently.
        Elem::I64 => Data::I64(
            rows.iter()
                .map(|&r| fitting(int(r)?, 63, r).map(|x| x as i64))
                .collect::<Result<_, _>>()?,
        ),
        Elem::I32 => Data::I32(
            rows.iter()
                .map(|&r| fitting(int(r)?, 31, r).map(|x| x as i32))
                .collect::<Result<_, _>>()?,
        ),
        Elem::Bool => Data::Bool(
            rows.iter()
                .map(|&r| int(r).map(|x| x != 0.0))
                .collect::<Result<_, _>>()?,
        ),
        Elem::Str => Data::Str(Vec::new()),
    })
}
