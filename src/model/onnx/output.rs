//! Choosing the probability output and its positive-class column, and
//! reading scores out of a run.
//!
//! Supported probability outputs: a float/double tensor `[N, C]` (column
//! `C` chosen by class label or `positive_index`), `[N, 1]` or `[N]` (taken as
//! the positive-class score itself), or a ZipMap, a sequence of one map per
//! row from class label (int64 or string) to probability: skl2onnx's and
//! onnxmltools' default classifier output.
use super::proto::GraphInfo;
use super::OnnxError;
use ort::session::SessionOutputs;
use ort::value::{DynMapValueType, DynValue, Outlet, TensorElementType, ValueType};

/// Where the positive-class score is in the chosen output.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    /// Column `index` of a `[N, columns]` tensor; `columns` 1 (or rank 1)
    /// means the output is the score itself.
    Column { index: usize },
    /// The entry with key `label` (as text) of each row's map.
    MapKey { label: String },
    /// A one-column output negated: with two classes, that column scores
    /// the second (scikit-learn's `decision_function`), and `positive` is
    /// the first.
    Negated,
    /// Column `index` of the float rows of `width` values a dropped ZipMap
    /// was fed (see [`super::unzip`]): the map entry it would have made.
    Unzipped { index: usize, width: usize },
}

/// The resolved probability output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPlan {
    /// The output as the model declares it (named in notes and errors).
    pub name: String,
    /// The session output to fetch: `name`, or the tensor a dropped
    /// ZipMap was fed.
    pub fetch: String,
    pub pick: Pick,
    /// The model's class labels, when found (for notes and errors).
    pub labels: Option<Vec<String>>,
    /// A word for the notes when the pick is a guess worth checking.
    pub caveat: Option<String>,
}

/// Whether `t` is a probability-like output: a float/double tensor or a
/// sequence of maps to float/double.
fn is_probability(t: &ValueType) -> bool {
    let real = |e: &TensorElementType| {
        matches!(e, TensorElementType::Float32 | TensorElementType::Float64)
    };
    match t {
        ValueType::Tensor { ty, .. } => real(ty),
        ValueType::Sequence(inner) => {
            matches!(&**inner, ValueType::Map { value, .. } if real(value))
        }
        _ => false,
    }
}

/// A graph output as the model declares it: its name and type.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub name: String,
    pub dtype: ValueType,
}

impl Declared {
    fn name(&self) -> &str {
        &self.name
    }

    fn dtype(&self) -> &ValueType {
        &self.dtype
    }
}

/// The outputs of a session as the model declares them.
pub fn declared(outputs: &[Outlet]) -> Vec<Declared> {
    outputs
        .iter()
        .map(|o| Declared {
            name: o.name().to_string(),
            dtype: o.dtype().clone(),
        })
        .collect()
}

/// Picks the probability output: `wanted` by name; else the only
/// probability-like output; else the only one whose name contains "prob".
fn choose<'o>(outputs: &'o [Declared], wanted: Option<&str>) -> Result<&'o Declared, String> {
    let names = || {
        outputs
            .iter()
            .map(|o| format!("{} ({})", o.name(), o.dtype()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(w) = wanted {
        return match outputs.iter().find(|o| o.name() == w) {
            Some(o) if is_probability(o.dtype()) => Ok(o),
            Some(o) => Err(format!(
                "[model] output `{w}` is {}, not probabilities (a float/double tensor or a ZipMap)",
                o.dtype()
            )),
            None => Err(format!(
                "[model] output `{w}` is not an output of the model (outputs: {})",
                names()
            )),
        };
    }
    let candidates: Vec<&Declared> = outputs
        .iter()
        .filter(|o| is_probability(o.dtype()))
        .collect();
    if let [only] = candidates.as_slice() {
        return Ok(only);
    }
    let named: Vec<&Declared> = candidates
        .iter()
        .copied()
        .filter(|o| o.name().to_ascii_lowercase().contains("prob"))
        .collect();
    match named.as_slice() {
        [only] => Ok(only),
        _ => Err(format!(
            "cannot tell which output holds the probabilities (outputs: {}); set [model] output",
            names()
        )),
    }
}

/// Resolves the probability output and where its positive class is.
/// `positive` holds the configured positive value's spellings (e.g. `"1"`,
/// `"yes"`); `positive_index` overrides the label search.
pub fn plan(
    outputs: &[Declared],
    graph: &GraphInfo,
    wanted: Option<&str>,
    positive: &[String],
    positive_index: Option<usize>,
) -> Result<OutputPlan, String> {
    let out = choose(outputs, wanted)?;
    let name = out.name().to_string();
    let labels = graph.class_labels(&name);
    if let Some(op) = graph.regressor_behind(&name).filter(|_| labels.is_none()) {
        return Err(format!(
            "output `{name}` comes from {op}: a regression model, whose values are not class \
             scores; release-gate gates binary classifiers (export the classifier with its \
             probabilities, or gate scores made elsewhere as kind = \"scores\")"
        ));
    }
    let width = match out.dtype() {
        ValueType::Tensor { shape, .. } if shape.len() == 2 => usize::try_from(shape[1]).ok(),
        ValueType::Tensor { shape, .. } if shape.len() <= 1 => Some(1),
        _ => None,
    };
    let is_map = matches!(out.dtype(), ValueType::Sequence(_));
    // Which label / column is positive.
    let index = match positive_index {
        Some(i) => {
            let n = labels.as_ref().map(Vec::len).or(width);
            if let Some(n) = n.filter(|&n| n > 1 || labels.is_some()) {
                if i >= n {
                    return Err(format!(
                        "[model] positive_index = {i} but output `{name}` has {n} classes{}",
                        show(labels.as_deref())
                    ));
                }
            }
            // An override that names another class than `positive` does
            // is a contradiction, not a choice: say so.
            if let Some(l) = labels.as_deref() {
                if let Ok(j) = find_positive(l, positive, &name) {
                    if j != i && i < l.len() {
                        return Err(format!(
                            "[model] positive_index = {i} is class `{}` of output `{name}`, but \
                             [data] positive is class `{}`; drop positive_index or make them agree",
                            l[i], l[j]
                        ));
                    }
                }
            }
            Some(i)
        }
        None => match &labels {
            Some(l) if width != Some(1) => Some(find_positive(l, positive, &name)?),
            _ => None,
        },
    };
    let mut caveat = None;
    let pick = if is_map {
        let (Some(l), Some(i)) = (&labels, index) else {
            return Err(format!(
                "output `{name}` is a ZipMap but the model's class labels were not found; set [model] positive_index"
            ));
        };
        Pick::MapKey {
            label: l[i].clone(),
        }
    } else if width == Some(1) {
        match labels.as_deref() {
            // One column for two classes scores the second class: the
            // first class (by `positive` or `positive_index`) negates it.
            Some(l @ [_, _]) => {
                let i = match index {
                    Some(i) => i,
                    None => find_positive(l, positive, &name)?,
                };
                if i == 0 {
                    Pick::Negated
                } else {
                    Pick::Column { index: 0 }
                }
            }
            _ if index.unwrap_or(0) != 0 => {
                return Err(format!(
                    "output `{name}` has one column (taken as the positive-class score); positive_index must be 0 or unset"
                ));
            }
            _ => {
                caveat = lone_column_caveat(&name, labels.is_none(), positive);
                Pick::Column { index: 0 }
            }
        }
    } else {
        match index {
            Some(i) => Pick::Column { index: i },
            None => {
                return Err(format!(
                    "cannot tell which column of output `{name}` is the positive class: the model carries no class labels; set [model] positive_index"
                ))
            }
        }
    };
    Ok(OutputPlan {
        fetch: name.clone(),
        name,
        pick,
        labels,
        caveat,
    })
}

/// One column without class labels is read as the positive class's score.
/// Such a column (a sigmoid over a linear score) most often scores class
/// 1: with `[data] positive` a spelling of 0 or false, its metrics may be
/// the other class's (round 51: ROC AUC 0.21 for a model that ranks at
/// 0.79), so the notes say which class it was taken for.
fn lone_column_caveat(name: &str, unlabelled: bool, positive: &[String]) -> Option<String> {
    let negative_like = |p: &String| {
        let p = p.trim().to_ascii_lowercase();
        p == "false" || p == "no" || p.parse::<f64>().is_ok_and(|x| x == 0.0)
    };
    let first = positive.first()?;
    (unlabelled && positive.iter().any(negative_like)).then(|| {
        format!(
            "output `{name}` has one column and no class labels: it is read as the score of \
             [data] positive = {first:?}; a one-column model most often scores class 1, and its \
             metrics would then be those of the other class (ROC AUC near 1 - the true one): \
             check which class the column scores"
        )
    })
}

fn show(labels: Option<&[String]>) -> String {
    match labels {
        Some(l) => format!(" ({})", l.join(", ")),
        None => String::new(),
    }
}

/// The index of the class label equal to one of `positive`: as text first,
/// then as numbers (`1` = `1.0`), then booleans against 0/1.
fn find_positive(labels: &[String], positive: &[String], output: &str) -> Result<usize, String> {
    let exact = |l: &String| positive.iter().any(|p| p.trim() == l.trim());
    let number = |s: &str| -> Option<f64> {
        match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(1.0),
            "false" => Some(0.0),
            t => t.parse().ok(),
        }
    };
    let numeric =
        |l: &String| number(l).is_some_and(|x| positive.iter().any(|p| number(p) == Some(x)));
    for test in [&exact as &dyn Fn(&String) -> bool, &numeric] {
        let hits: Vec<usize> = (0..labels.len()).filter(|&i| test(&labels[i])).collect();
        match hits.as_slice() {
            [i] => return Ok(*i),
            [] => {}
            _ => {
                return Err(format!(
                    "several classes of output `{output}` match the positive value {}{}; set [model] positive_index",
                    positive.join("/"),
                    show(Some(labels))
                ))
            }
        }
    }
    Err(format!(
        "the positive value `{}` is not a class of the model{}; set [model] positive_index",
        positive.join("` / `"),
        show(Some(labels))
    ))
}

/// The positive-class scores of one run's `outputs` (`n` rows).
pub fn extract(
    plan: &OutputPlan,
    outputs: &SessionOutputs<'_>,
    n: usize,
) -> Result<Vec<f64>, OnnxError> {
    let fail = |m: String| OnnxError::Output(format!("output `{}`: {m}", plan.name));
    let value = outputs
        .get(plan.fetch.as_str())
        .ok_or_else(|| fail("missing from the run's results".into()))?;
    let scores = match &plan.pick {
        Pick::Column { index } => column(value, *index, n),
        Pick::MapKey { label } => map_key(value, label, n),
        Pick::Negated => column(value, 0, n).map(|v| v.into_iter().map(|x| -x).collect()),
        Pick::Unzipped { index, width } => unzipped(value, *index, *width, n),
    }
    .map_err(fail)?;
    if scores.len() != n {
        return Err(OnnxError::Output(format!(
            "output `{}` gave {} scores for {n} rows",
            plan.name,
            scores.len()
        )));
    }
    Ok(scores)
}

/// Column `index` of a float/double tensor `[n, C]` (or all of `[n]`/`[n, 1]`).
fn column(value: &DynValue, index: usize, n: usize) -> Result<Vec<f64>, String> {
    let (shape, data): (Vec<i64>, Vec<f64>) = match value.dtype() {
        ValueType::Tensor {
            ty: TensorElementType::Float32,
            ..
        } => {
            let (s, d) = value
                .try_extract_tensor::<f32>()
                .map_err(|e| e.to_string())?;
            (s.to_vec(), d.iter().map(|&x| f64::from(x)).collect())
        }
        ValueType::Tensor {
            ty: TensorElementType::Float64,
            ..
        } => {
            let (s, d) = value
                .try_extract_tensor::<f64>()
                .map_err(|e| e.to_string())?;
            (s.to_vec(), d.to_vec())
        }
        t => return Err(format!("expected a float or double tensor, got {t}")),
    };
    let width = data.len().checked_div(n).unwrap_or(0);
    if width * n != data.len() || shape.first().is_some_and(|&d| d != n as i64) {
        return Err(format!("shape {shape:?} does not hold {n} rows"));
    }
    if index >= width.max(1) {
        return Err(format!("has {width} columns, no column {index}"));
    }
    Ok((0..n).map(|r| data[r * width + index]).collect())
}

/// Column `index` of the `n` rows of `width` floats a ZipMap was fed,
/// whatever their shape (ZipMap takes `[n, width]`, or `[width]` for one
/// row, and fails when the counts differ; so does this).
fn unzipped(value: &DynValue, index: usize, width: usize, n: usize) -> Result<Vec<f64>, String> {
    let (_, data) = value
        .try_extract_tensor::<f32>()
        .map_err(|e| e.to_string())?;
    if Some(data.len()) != n.checked_mul(width) || index >= width {
        return Err(format!(
            "{} probabilities for {n} rows of {width} classes",
            data.len()
        ));
    }
    Ok((0..n).map(|r| f64::from(data[r * width + index])).collect())
}

/// Each row's map entry keyed `label` (int64 or string keys, float/double values).
fn map_key(value: &DynValue, label: &str, n: usize) -> Result<Vec<f64>, String> {
    let maps = value
        .try_extract_sequence::<DynMapValueType>()
        .map_err(|e| e.to_string())?;
    if maps.len() != n {
        return Err(format!("{} maps for {n} rows", maps.len()));
    }
    let int_label: Option<i64> = label.parse().ok();
    let mut scores = Vec::with_capacity(n);
    for m in &maps {
        let (key, val) = match m.dtype() {
            ValueType::Map { key, value } => (*key, *value),
            t => return Err(format!("expected maps, got {t}")),
        };
        let found = match key {
            TensorElementType::Int64 => {
                let want =
                    int_label.ok_or_else(|| format!("label `{label}` is not an integer key"))?;
                lookup(m, val, |k: &i64| *k == want)?
            }
            TensorElementType::String => lookup(m, val, |k: &String| k == label)?,
            k => return Err(format!("map keys of type {k} are not supported")),
        };
        scores.push(found.ok_or_else(|| format!("no entry for class `{label}` in a row's map"))?);
    }
    Ok(scores)
}

/// The value under the key `is_key` accepts, as f64.
fn lookup<K>(
    m: &ort::value::Value<DynMapValueType>,
    val: TensorElementType,
    is_key: impl Fn(&K) -> bool,
) -> Result<Option<f64>, String>
where
    K: ort::value::IntoTensorElementType + Clone + std::hash::Hash + Eq,
{
    Ok(match val {
        TensorElementType::Float32 => m
            .try_extract_key_values::<K, f32>()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(k, _)| is_key(k))
            .map(|(_, v)| f64::from(v)),
        TensorElementType::Float64 => m
            .try_extract_key_values::<K, f64>()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(k, _)| is_key(k))
            .map(|(_, v)| v),
        t => return Err(format!("map values of type {t} are not supported")),
    })
}
