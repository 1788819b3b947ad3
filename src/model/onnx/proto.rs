//! Just enough of the ONNX protobuf (`ModelProto`) to find a classifier's
//! class labels, which ONNX Runtime's session API does not expose: the
//! `classlabels_*` attributes of the graph's nodes (`ZipMap`,
//! `LinearClassifier`, `TreeEnsembleClassifier`, `SVMClassifier`...), a
//! `classes` initializer (skl2onnx's double-precision classifiers) and the
//! model's `metadata_props`.
//!
//! A hand-written reader of the wire format keeps a protobuf code generator
//! out of the build; anything it does not understand it skips.

/// What the graph tells about class labels.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GraphInfo {
    /// Every node, in graph order (only what the label search needs).
    pub nodes: Vec<Node>,
    /// A top-level initializer named `classes`, as text.
    pub classes_initializer: Option<Vec<String>>,
    /// `metadata_props` key/value pairs.
    pub metadata: Vec<(String, String)>,
}

/// One graph node.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Node {
    pub op_type: String,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// The values of a `classlabels_*` attribute, as text (integers in decimal).
    pub classlabels: Option<Vec<String>>,
    /// The text categories the node maps (`cats_strings` of `OneHotEncoder`
    /// and `CategoryMapper`, `keys_strings` of `LabelEncoder`).
    pub categories: Option<Vec<String>>,
}

/// Ops that pass a probability tensor through unchanged in column order.
const PASS_THROUGH: &[&str] = &["Identity", "Cast", "Normalizer", "Reshape", "Softmax"];

/// Ops that pass text through as it is: reshaping or selecting the values
/// of their first input, as skl2onnx leads a string input to its
/// `OneHotEncoder`. A `Concat` passes it on only alone: beside other
/// columns, which of them reaches which encoder is not followed (their
/// categories would mix).
const TEXT_PASS_THROUGH: &[&str] = &[
    "Identity",
    "Reshape",
    "Squeeze",
    "Unsqueeze",
    "Flatten",
    "Transpose",
    "Concat",
    "Gather",
    "ArrayFeatureExtractor",
];

impl GraphInfo {
    /// The class labels behind graph output `output`: the first node met on
    /// the way back from it (through pass-through ops) that carries
    /// `classlabels_*`; else the labels every labelled node agrees on; else
    /// the `classes` initializer; else a `classlabels`/`classes` metadata entry
    /// (comma-separated).
    pub fn class_labels(&self, output: &str) -> Option<Vec<String>> {
        if let Some(labels) = self.producers(output).find_map(|n| n.classlabels.as_ref()) {
            return Some(labels.clone());
        }
        let mut lists = self.nodes.iter().filter_map(|n| n.classlabels.as_ref());
        if let Some(first) = lists.next() {
            if lists.all(|l| l == first) {
                return Some(first.clone());
            }
        }
        if let Some(c) = &self.classes_initializer {
            return Some(c.clone());
        }
        self.metadata
            .iter()
            .find(|(k, _)| k == "classlabels" || k == "classes")
            .map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect())
    }

    /// The regression op (`LinearRegressor`, `TreeEnsembleRegressor`,
    /// `SVMRegressor`...) that graph output `output` comes from, through
    /// pass-through ops: a regression model's values, not class scores.
    pub fn regressor_behind(&self, output: &str) -> Option<&str> {
        self.producers(output)
            .map(|n| n.op_type.as_str())
            .find(|op| op.ends_with("Regressor"))
    }

    /// The text categories the graph knows for graph input `input`, sorted: those
    /// of the category nodes (`OneHotEncoder`, `LabelEncoder`,
    /// `CategoryMapper`) its values reach through ops that pass text on as
    /// it is ([`TEXT_PASS_THROUGH`]). `None` when any other op reads them
    /// (text normalized or parsed first) or no category node does: then
    /// what the model knows cannot be seen.
    pub fn categories_of(&self, input: &str) -> Option<Vec<String>> {
        let mut found = std::collections::BTreeSet::new();
        let mut todo = vec![input];
        let mut seen = std::collections::HashSet::new();
        while let Some(tensor) = todo.pop() {
            if !seen.insert(tensor) {
                continue;
            }
            for node in self
                .nodes
                .iter()
                .filter(|n| n.inputs.iter().any(|i| i == tensor))
            {
                if let Some(c) = &node.categories {
                    found.extend(c.iter().cloned());
                    continue;
                }
                let data = node.inputs.first().is_some_and(|i| i == tensor)
                    && (node.op_type != "Concat" || node.inputs.len() == 1);
                if !(data && TEXT_PASS_THROUGH.contains(&node.op_type.as_str())) {
                    return None;
                }
                todo.extend(node.outputs.iter().map(String::as_str));
            }
        }
        (!found.is_empty()).then(|| found.into_iter().collect())
    }

    /// The nodes met on the way back from graph output `output`: the one
    /// that makes it, then, while that one passes a tensor through
    /// unchanged ([`PASS_THROUGH`]), the one that makes its first input.
    /// At most one step per node (a malformed cycle ends the walk).
    fn producers<'g>(&'g self, output: &str) -> impl Iterator<Item = &'g Node> + 'g {
        let mut name = Some(output.to_string());
        std::iter::from_fn(move || {
            let wanted = name.take()?;
            let node = self.nodes.iter().find(|n| n.outputs.contains(&wanted))?;
            if PASS_THROUGH.contains(&node.op_type.as_str()) {
                name = node.inputs.first().cloned();
            }
            Some(node)
        })
        .take(self.nodes.len())
    }
}

/// Reads `bytes` (a serialized `ModelProto`). Errors only on a malformed
/// wire format; unknown fields are skipped.
pub fn parse_model(bytes: &[u8]) -> Result<GraphInfo, String> {
    let mut info = GraphInfo::default();
    for field in Reader::new(bytes) {
        match field? {
            (7, Value::Bytes(graph)) => parse_graph(graph, &mut info)?,
            (14, Value::Bytes(entry)) => {
                let (mut key, mut value) = (String::new(), String::new());
                for f in Reader::new(entry) {
                    match f? {
                        (1, Value::Bytes(b)) => key = text(b),
                        (2, Value::Bytes(b)) => value = text(b),
                        _ => {}
                    }
                }
                info.metadata.push((key, value));
            }
            _ => {}
        }
    }
    Ok(info)
}

fn parse_graph(bytes: &[u8], info: &mut GraphInfo) -> Result<(), String> {
    for field in Reader::new(bytes) {
        match field? {
            (1, Value::Bytes(node)) => info.nodes.push(parse_node(node)?),
            (5, Value::Bytes(tensor)) => {
                if let Some(classes) = parse_classes_tensor(tensor)? {
                    info.classes_initializer = Some(classes);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_node(bytes: &[u8]) -> Result<Node, String> {
    let mut node = Node::default();
    for field in Reader::new(bytes) {
        match field? {
            (1, Value::Bytes(b)) => node.inputs.push(text(b)),
            (2, Value::Bytes(b)) => node.outputs.push(text(b)),
            (4, Value::Bytes(b)) => node.op_type = text(b),
            (5, Value::Bytes(attr)) => match parse_attribute(attr)? {
                Some((name, values)) if name.starts_with("classlabels") => {
                    node.classlabels = Some(values);
                }
                Some((_, values)) => node.categories = Some(values),
                None => {}
            },
            _ => {}
        }
    }
    Ok(node)
}

/// An `AttributeProto` named `classlabels_*`, `cats_strings` or
/// `keys_strings`: its name and its strings (field 9), else its ints
/// (field 8) as text. Other attributes (a tree ensemble's millions of
/// node ints) are passed over unread.
fn parse_attribute(bytes: &[u8]) -> Result<Option<(String, Vec<String>)>, String> {
    let mut name = String::new();
    let mut ints = Vec::new();
    let mut strings = Vec::new();
    for field in Reader::new(bytes) {
        match field? {
            (1, Value::Bytes(b)) => name = text(b),
            (8, v) => ints.push(v),
            (9, Value::Bytes(b)) => strings.push(b),
            _ => {}
        }
    }
    if !(name.starts_with("classlabels") || name == "cats_strings" || name == "keys_strings") {
        return Ok(None);
    }
    if !strings.is_empty() {
        return Ok(Some((name, strings.into_iter().map(text).collect())));
    }
    let mut values = Vec::new();
    for v in ints {
        push_ints(v, &mut values)?;
    }
    Ok(Some((name, values.iter().map(i64::to_string).collect())))
}

/// A `TensorProto` named `classes` of int32/int64/string values.
fn parse_classes_tensor(bytes: &[u8]) -> Result<Option<Vec<String>>, String> {
    let (mut name, mut dtype) = (String::new(), 0u64);
    let (mut ints, mut strings, mut raw) = (Vec::new(), Vec::new(), None);
    for field in Reader::new(bytes) {
        match field? {
            (2, Value::Varint(t)) => dtype = t,
            (5 | 7, v) => push_ints(v, &mut ints)?,
            (6, Value::Bytes(b)) => strings.push(text(b)),
            (8, Value::Bytes(b)) => name = text(b),
            (9, Value::Bytes(b)) => raw = Some(b),
            _ => {}
        }
    }
    if name != "classes" {
        return Ok(None);
    }
    // TensorProto.DataType: 6 = INT32, 7 = INT64, 8 = STRING.
    let values = match (dtype, raw) {
        (8, _) => strings,
        (7, Some(r)) => r
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                i64::from_le_bytes(b).to_string()
            })
            .collect(),
        (6, Some(r)) => r
            .chunks_exact(4)
            .map(|c| {
                let mut b = [0u8; 4];
                b.copy_from_slice(c);
                i32::from_le_bytes(b).to_string()
            })
            .collect(),
        (6 | 7, None) => ints.iter().map(|i| i.to_string()).collect(),
        _ => return Ok(None),
    };
    Ok(Some(values))
}

/// Repeated int64s arrive packed (one length-delimited field) or one varint each.
pub(super) fn push_ints(v: Value<'_>, out: &mut Vec<i64>) -> Result<(), String> {
    match v {
        Value::Varint(x) => out.push(x as i64),
        Value::Bytes(packed) => {
            let mut pos = 0;
            while pos < packed.len() {
                out.push(varint(packed, &mut pos)? as i64);
            }
        }
        Value::Fixed => {}
    }
    Ok(())
}

pub(super) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One field's payload.
pub(super) enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// A fixed32/fixed64 value (never needed here).
    Fixed,
}

/// Iterates over the `(field number, value)` pairs of one message.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            failed: false,
        }
    }

    fn field(&mut self) -> Result<(u64, Value<'a>), String> {
        let key = varint(self.buf, &mut self.pos)?;
        let number = key >> 3;
        let value = match key & 7 {
            0 => Value::Varint(varint(self.buf, &mut self.pos)?),
            1 => {
                self.skip(8)?;
                Value::Fixed
            }
            2 => {
                let len = usize::try_from(varint(self.buf, &mut self.pos)?)
                    .map_err(|_| "length out of range".to_string())?;
                let start = self.pos;
                self.skip(len)?;
                Value::Bytes(&self.buf[start..self.pos])
            }
            5 => {
                self.skip(4)?;
                Value::Fixed
            }
            w => return Err(format!("unsupported protobuf wire type {w}")),
        };
        Ok((number, value))
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.buf.len() => {
                self.pos = end;
                Ok(())
            }
            _ => Err("truncated protobuf message".into()),
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<(u64, Value<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let item = self.field();
        self.failed = item.is_err();
        Some(item)
    }
}

/// A field number, its payload and its raw bytes (key included).
pub(super) type RawField<'a> = (u64, Value<'a>, &'a [u8]);

/// The fields of one message, each with its raw bytes (key included), so a
/// rewriter can copy the fields it does not change as they are.
pub(super) fn raw_fields(buf: &[u8]) -> Result<Vec<RawField<'_>>, String> {
    let mut reader = Reader::new(buf);
    let mut fields = Vec::new();
    while reader.pos < buf.len() {
        let start = reader.pos;
        let (number, value) = reader.field()?;
        fields.push((number, value, &buf[start..reader.pos]));
    }
    Ok(fields)
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut x: u64 = 0;
    for shift in (0..64).step_by(7) {
        let Some(&b) = buf.get(*pos) else {
            return Err("truncated protobuf varint".into());
        };
        *pos += 1;
        x |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(x);
        }
    }
    Err("protobuf varint too long".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_bytes_are_an_error_not_a_panic() {
        assert!(parse_model(&[0x3a, 0xff]).is_err());
        assert!(parse_model(&[0x08]).is_err());
        assert!(parse_model(&[0x0b]).is_err());
        assert_eq!(parse_model(&[]), Ok(GraphInfo::default()));
    }

    #[test]
    fn packed_and_unpacked_ints_read_alike() {
        // AttributeProto { name: "classlabels_ints", ints: [0, 1] } both ways.
        let mut unpacked = vec![0x0a, 16];
        unpacked.extend_from_slice(b"classlabels_ints");
        let mut packed = unpacked.clone();
        unpacked.extend_from_slice(&[0x40, 0, 0x40, 1]);
        packed.extend_from_slice(&[0x42, 2, 0, 1]);
        let want = Ok(Some((
            "classlabels_ints".to_string(),
            vec!["0".to_string(), "1".to_string()],
        )));
        assert_eq!(parse_attribute(&unpacked), want.clone());
        assert_eq!(parse_attribute(&packed), want);
        // Another attribute's ints are not read.
        let mut other = vec![0x0a, 9];
        other.extend_from_slice(b"nodes_ids");
        other.extend_from_slice(&[0x42, 2, 0, 1]);
        assert_eq!(parse_attribute(&other), Ok(None));
    }

    fn node(op: &str, inputs: &[&str], outputs: &[&str], categories: Option<&[&str]>) -> Node {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Node {
            op_type: op.into(),
            inputs: names(inputs),
            outputs: names(outputs),
            classlabels: None,
            categories: categories.map(names),
        }
    }

    #[test]
    fn categories_are_found_through_ops_that_pass_text_on() {
        // skl2onnx's one-column OneHotEncoder, one per input of a
        // DataFrame, and two columns joined by a Concat first.
        let g = GraphInfo {
            nodes: vec![
                node("Gather", &["contract", "idx"], &["c0"], None),
                node(
                    "OneHotEncoder",
                    &["c0"],
                    &["c1"],
                    Some(&["007", "010", "3"]),
                ),
                node("Concat", &["plan", "region"], &["pr"], None),
                node("OneHotEncoder", &["seg"], &["s1"], Some(&["b2b", "b2c"])),
                node("Reshape", &["tier", "shape"], &["t0"], None),
                node("Concat", &["t0"], &["t1"], None),
                node("LabelEncoder", &["t1"], &["t2"], Some(&["gold"])),
                node("ArrayFeatureExtractor", &["pr", "i0"], &["p"], None),
                node("ArrayFeatureExtractor", &["pr", "i1"], &["r"], None),
                node("OneHotEncoder", &["p"], &["p1"], Some(&["basic", "pro"])),
                node("LabelEncoder", &["r"], &["r1"], Some(&["north", "south"])),
                node("StringNormalizer", &["city"], &["c"], None),
                node("OneHotEncoder", &["c"], &["c2"], Some(&["oslo"])),
                node("Concat", &["c1", "p1", "r1", "c2", "idx"], &["all"], None),
            ],
            ..GraphInfo::default()
        };
        let cats = |i: &str| g.categories_of(i);
        let list = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(cats("contract"), list(&["007", "010", "3"]));
        assert_eq!(cats("seg"), list(&["b2b", "b2c"]));
        assert_eq!(cats("tier"), list(&["gold"]));
        // Joined with another column: which encoder reads which is not
        // followed (their categories would mix: `plan` would know `north`).
        assert_eq!(cats("plan"), None);
        assert_eq!(cats("region"), None);
        // Normalized first: what reaches the encoder is not what was fed.
        assert_eq!(cats("city"), None);
        // An index, not text: read by no category node.
        assert_eq!(cats("idx"), None);
        assert_eq!(cats("absent"), None);
    }
}
