//! Scoring a ZipMap model without its ZipMap: the session runs a copy of
//! the graph whose output is the ZipMap's float input `[N, C]` instead of
//! the ZipMap's sequence of maps.
//!
//! skl2onnx and onnxmltools end a classifier with a `ZipMap` that copies
//! each row of probabilities into a map from class label to probability.
//! Building those maps, and reading them back through ONNX Runtime's API
//! (a value per row, then a keys and a values tensor per map), costs more
//! than the classifier itself on one row. The map entry for a label is the
//! float in that label's column (ZipMap's column order is its
//! `classlabels_*`), so reading the column gives the same bits.
//!
//! Only the in-memory copy changes: the file, its sha256 and what the
//! registry stores stay the user's. A ZipMap is dropped only when nothing
//! else could notice: its one output is a graph output no node reads, its
//! one input is not a graph input or output, its labels are distinct, and
//! the graph has no subgraphs (which could read names of the outer graph)
//! and no external data (a model loaded from memory looks for it elsewhere).
use super::output::{Declared, OutputPlan, Pick};
use super::proto::{push_ints, raw_fields, text, Value};
use ort::value::{TensorElementType, ValueType};

/// A ZipMap dropped from the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Unzipped {
    /// The graph output the ZipMap made, as the model declares it.
    pub map_output: String,
    /// The ZipMap's float input, a graph output in its place.
    pub tensor: String,
    /// The ZipMap's class labels as text, in column order.
    pub labels: Vec<String>,
    /// Whether the map's keys were strings (else int64).
    pub string_keys: bool,
}

/// The rewritten model and what was dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewritten {
    pub bytes: Vec<u8>,
    pub unzipped: Vec<Unzipped>,
}

/// The rewritten session's `outputs` as the original model declares them
/// (each dropped ZipMap's input back under the map's name and type), or
/// `None` when one of those inputs is not a float tensor output.
pub fn as_declared(outputs: &[Declared], unzipped: &[Unzipped]) -> Option<Vec<Declared>> {
    let float = |d: &Declared| {
        matches!(
            d.dtype,
            ValueType::Tensor {
                ty: TensorElementType::Float32,
                ..
            }
        )
    };
    let mut declared = outputs.to_vec();
    for u in unzipped {
        let out = declared.iter_mut().find(|d| d.name == u.tensor)?;
        if !float(out) {
            return None;
        }
        let key = if u.string_keys {
            TensorElementType::String
        } else {
            TensorElementType::Int64
        };
        *out = Declared {
            name: u.map_output.clone(),
            dtype: ValueType::Sequence(Box::new(ValueType::Map {
                key,
                value: TensorElementType::Float32,
            })),
        };
    }
    Some(declared)
}

/// Points `plan` at the tensor a dropped ZipMap was fed when it reads that
/// ZipMap's map: the positive label's column instead of its map entry.
pub fn redirect(plan: &mut OutputPlan, unzipped: &[Unzipped]) -> Result<(), String> {
    let Some(u) = unzipped.iter().find(|u| u.map_output == plan.name) else {
        return Ok(());
    };
    let Pick::MapKey { label } = &plan.pick else {
        return Err(format!("output `{}` is read as a map", plan.name));
    };
    let Some(index) = u.labels.iter().position(|l| l == label) else {
        return Err(format!(
            "class `{label}` is not a label of the ZipMap making `{}`",
            plan.name
        ));
    };
    plan.pick = Pick::Unzipped {
        index,
        width: u.labels.len(),
    };
    plan.fetch = u.tensor.clone();
    Ok(())
}

/// One graph node, with what the rewrite needs to know.
struct NodeInfo<'a> {
    raw: &'a [u8],
    op_type: String,
    domain: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
    /// `classlabels_int64s` / `classlabels_strings` (true for strings).
    labels: Option<(Vec<String>, bool)>,
    has_subgraph: bool,
}

/// `model` (a serialized `ModelProto`) with every ZipMap that can be
/// dropped (see the module notes) dropped; `None` when there is none.
pub fn rewrite(model: &[u8]) -> Result<Option<Rewritten>, String> {
    let fields = raw_fields(model)?;
    let graphs: Vec<&[u8]> = fields
        .iter()
        .filter_map(|(n, v, _)| match (n, v) {
            (7, Value::Bytes(g)) => Some(*g),
            _ => None,
        })
        .collect();
    let [graph] = graphs.as_slice() else {
        return Ok(None);
    };
    let Some(Rewritten {
        bytes: graph,
        unzipped,
    }) = rewrite_graph(graph)?
    else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(model.len());
    for (number, _, raw) in &fields {
        if *number == 7 {
            put_bytes(&mut bytes, 7, &graph);
        } else {
            bytes.extend_from_slice(raw);
        }
    }
    Ok(Some(Rewritten { bytes, unzipped }))
}

/// The graph rewritten, as [`Rewritten`] holds a model.
fn rewrite_graph(graph: &[u8]) -> Result<Option<Rewritten>, String> {
    let fields = raw_fields(graph)?;
    let mut nodes = Vec::new();
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for (number, value, raw) in &fields {
        match (number, value) {
            (1, Value::Bytes(b)) => nodes.push(parse_node(b, raw)?),
            (5, Value::Bytes(b)) if is_external(b)? => return Ok(None),
            (11, Value::Bytes(b)) => inputs.push(value_info_name(b)?),
            (12, Value::Bytes(b)) => outputs.push(value_info_name(b)?),
            _ => {}
        }
    }
    if nodes.iter().any(|n| n.has_subgraph) {
        return Ok(None);
    }
    let read = |name: &str| nodes.iter().any(|n| n.inputs.iter().any(|i| i == name));
    let count = |list: &[String], name: &str| list.iter().filter(|o| *o == name).count();
    let mut unzipped = Vec::new();
    let mut dropped = Vec::new();
    for (k, node) in nodes.iter().enumerate() {
        let (Some((labels, string_keys)), [input], [output]) = (
            &node.labels,
            node.inputs.as_slice(),
            node.outputs.as_slice(),
        ) else {
            continue;
        };
        let distinct = labels
            .iter()
            .enumerate()
            .all(|(i, l)| !labels[..i].contains(l));
        if node.op_type != "ZipMap"
            || node.domain != "ai.onnx.ml"
            || labels.is_empty()
            || !distinct
            || input.is_empty()
            || count(&outputs, output) != 1
            || read(output)
            || count(&outputs, input) != 0
            || count(&inputs, input) != 0
            || unzipped.iter().any(|u: &Unzipped| u.tensor == *input)
        {
            continue;
        }
        dropped.push(k);
        unzipped.push(Unzipped {
            map_output: output.clone(),
            tensor: input.clone(),
            labels: labels.clone(),
            string_keys: *string_keys,
        });
    }
    if unzipped.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(graph.len());
    let mut node_index = 0;
    for (number, value, raw) in &fields {
        match (number, value) {
            (1, _) => {
                if !dropped.contains(&node_index) {
                    out.extend_from_slice(nodes[node_index].raw);
                }
                node_index += 1;
            }
            (12 | 13, Value::Bytes(b)) => {
                let name = value_info_name(b)?;
                match unzipped.iter().find(|u| u.map_output == name) {
                    Some(u) if *number == 12 => {
                        put_bytes(&mut out, 12, &float_tensor_info(&u.tensor))
                    }
                    // A value_info for the dropped output describes nothing now.
                    Some(_) => {}
                    None => out.extend_from_slice(raw),
                }
            }
            _ => out.extend_from_slice(raw),
        }
    }
    Ok(Some(Rewritten {
        bytes: out,
        unzipped,
    }))
}

fn parse_node<'a>(bytes: &[u8], raw: &'a [u8]) -> Result<NodeInfo<'a>, String> {
    let mut node = NodeInfo {
        raw,
        op_type: String::new(),
        domain: String::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        labels: None,
        has_subgraph: false,
    };
    for (number, value, _) in raw_fields(bytes)? {
        match (number, value) {
            (1, Value::Bytes(b)) => node.inputs.push(text(b)),
            (2, Value::Bytes(b)) => node.outputs.push(text(b)),
            (4, Value::Bytes(b)) => node.op_type = text(b),
            (7, Value::Bytes(b)) => node.domain = text(b),
            (5, Value::Bytes(attr)) => parse_attribute(attr, &mut node)?,
            _ => {}
        }
    }
    Ok(node)
}

/// Notes a graph-valued attribute (`g` = 6, `graphs` = 11) and ZipMap's labels.
fn parse_attribute(bytes: &[u8], node: &mut NodeInfo<'_>) -> Result<(), String> {
    let mut name = String::new();
    let (mut ints, mut strings) = (Vec::new(), Vec::new());
    let mut valid_text = true;
    for (number, value, _) in raw_fields(bytes)? {
        match (number, value) {
            (1, Value::Bytes(b)) => name = text(b),
            (6 | 11, _) => node.has_subgraph = true,
            (8, v) => push_ints(v, &mut ints)?,
            (9, Value::Bytes(b)) => {
                valid_text &= std::str::from_utf8(b).is_ok();
                strings.push(text(b));
            }
            _ => {}
        }
    }
    match name.as_str() {
        "classlabels_int64s" => {
            node.labels = Some((ints.iter().map(i64::to_string).collect(), false));
        }
        // Labels that are not valid UTF-8 could not be matched as ONNX
        // Runtime's map keys are: leave that ZipMap alone.
        "classlabels_strings" if valid_text => node.labels = Some((strings, true)),
        _ => {}
    }
    Ok(())
}

/// Whether a `TensorProto` keeps its data in another file (data_location = 14).
fn is_external(tensor: &[u8]) -> Result<bool, String> {
    Ok(raw_fields(tensor)?
        .iter()
        .any(|(n, v, _)| *n == 14 && matches!(v, Value::Varint(1))))
}

/// A `ValueInfoProto`'s name (field 1).
fn value_info_name(bytes: &[u8]) -> Result<String, String> {
    Ok(raw_fields(bytes)?
        .into_iter()
        .find_map(|(n, v, _)| match (n, v) {
            (1, Value::Bytes(b)) => Some(text(b)),
            _ => None,
        })
        .unwrap_or_default())
}

/// `ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type: FLOAT } } }`,
/// shape left for ONNX Runtime to infer.
fn float_tensor_info(name: &str) -> Vec<u8> {
    let mut tensor = Vec::new();
    put_varint(&mut tensor, 1 << 3);
    put_varint(&mut tensor, 1);
    let mut ty = Vec::new();
    put_bytes(&mut ty, 1, &tensor);
    let mut info = Vec::new();
    put_bytes(&mut info, 1, name.as_bytes());
    put_bytes(&mut info, 2, &ty);
    info
}

fn put_bytes(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    put_varint(out, (field << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8 & 0x7f) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::onnx::proto::parse_model;

    fn message(fields: &[(u64, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, b) in fields {
            put_bytes(&mut out, *n, b);
        }
        out
    }

    /// NodeProto { input, output, op_type, domain, classlabels_int64s }.
    fn node(op: &str, inputs: &[&str], outputs: &[&str], labels: &[u8]) -> Vec<u8> {
        let mut f: Vec<(u64, &[u8])> = inputs.iter().map(|i| (1, i.as_bytes())).collect();
        f.extend(outputs.iter().map(|o| (2, o.as_bytes())));
        f.push((4, op.as_bytes()));
        f.push((7, b"ai.onnx.ml"));
        let mut attr = message(&[(1, b"classlabels_int64s")]);
        for l in labels {
            attr.extend_from_slice(&[0x40, *l]);
        }
        if !labels.is_empty() {
            f.push((5, &attr));
        }
        message(&f)
    }

    /// A model whose graph has `nodes`, graph inputs `ins` and outputs `outs`.
    fn model(nodes: &[Vec<u8>], ins: &[&str], outs: &[&str]) -> Vec<u8> {
        model_with(nodes, ins, outs, &[])
    }

    /// [`model`] with `initializers` (TensorProtos) in the graph too.
    fn model_with(
        nodes: &[Vec<u8>],
        ins: &[&str],
        outs: &[&str],
        initializers: &[Vec<u8>],
    ) -> Vec<u8> {
        let infos: Vec<Vec<u8>> = ins
            .iter()
            .chain(outs)
            .map(|n| message(&[(1, n.as_bytes())]))
            .collect();
        let mut f: Vec<(u64, &[u8])> = nodes.iter().map(|n| (1, n.as_slice())).collect();
        f.extend(initializers.iter().map(|t| (5, t.as_slice())));
        for (i, info) in infos.iter().enumerate() {
            f.push((if i < ins.len() { 11 } else { 12 }, info));
        }
        let graph = message(&f);
        let mut m = vec![0x08, 8]; // ir_version 8, copied as it is
        put_bytes(&mut m, 7, &graph);
        m
    }

    fn classifier() -> Vec<u8> {
        node("LinearClassifier", &["X"], &["label", "probs"], &[0, 1])
    }

    #[test]
    fn a_final_zipmap_is_dropped_and_its_input_is_output() {
        let zipmap = node("ZipMap", &["probs"], &["maps"], &[0, 1]);
        let bytes = model(&[classifier(), zipmap], &["X"], &["label", "maps"]);
        let r = rewrite(&bytes).unwrap().unwrap();
        assert_eq!(
            r.unzipped,
            [Unzipped {
                map_output: "maps".into(),
                tensor: "probs".into(),
                labels: vec!["0".into(), "1".into()],
                string_keys: false,
            }]
        );
        assert_eq!(&r.bytes[..2], &[0x08, 8]);
        let info = parse_model(&r.bytes).unwrap();
        let ops: Vec<&str> = info.nodes.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(ops, ["LinearClassifier"]);
        // Graph outputs, in place: `label`, then `probs` as a float tensor.
        let graph = raw_fields(&r.bytes).unwrap();
        let Some((_, Value::Bytes(g), _)) = graph.iter().find(|f| f.0 == 7) else {
            panic!("no graph");
        };
        let outs: Vec<Vec<u8>> = raw_fields(g)
            .unwrap()
            .into_iter()
            .filter(|f| f.0 == 12)
            .map(|f| f.1)
            .map(|v| match v {
                Value::Bytes(b) => b.to_vec(),
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(outs.len(), 2);
        assert_eq!(value_info_name(&outs[0]).unwrap(), "label");
        assert_eq!(outs[1], float_tensor_info("probs"));
        assert_eq!(
            float_tensor_info("p"),
            [0x0a, 1, b'p', 0x12, 4, 0x0a, 2, 0x08, 1]
        );
    }

    #[test]
    fn a_zipmap_anything_else_could_notice_stays() {
        let zipmap = || node("ZipMap", &["probs"], &["maps"], &[0, 1]);
        let cases = [
            // Its maps feed another node.
            model(
                &[
                    classifier(),
                    zipmap(),
                    node("Identity", &["maps"], &["m2"], &[]),
                ],
                &["X"],
                &["maps", "m2"],
            ),
            // Its input is also a graph output.
            model(&[classifier(), zipmap()], &["X"], &["probs", "maps"]),
            // Its input is a graph input.
            model(&[zipmap()], &["probs"], &["maps"]),
            // Its output is not a graph output.
            model(&[classifier(), zipmap()], &["X"], &["label"]),
            // Duplicate labels (the map would hold one entry).
            model(
                &[classifier(), node("ZipMap", &["probs"], &["maps"], &[1, 1])],
                &["X"],
                &["maps"],
            ),
            // No labels at all.
            model(
                &[classifier(), node("ZipMap", &["probs"], &["maps"], &[])],
                &["X"],
                &["maps"],
            ),
            // Another op of that name in another domain.
            model(
                &[classifier(), zipmap().replace_domain()],
                &["X"],
                &["maps"],
            ),
            // No ZipMap.
            model(&[classifier()], &["X"], &["label", "probs"]),
        ];
        for (i, bytes) in cases.iter().enumerate() {
            assert_eq!(rewrite(bytes), Ok(None), "case {i}");
        }
        // A subgraph anywhere, or an initializer kept in another file.
        let mut looped = node("Loop", &["n"], &["y"], &[]);
        put_bytes(&mut looped, 5, &message(&[(1, b"body"), (6, b"")]));
        let bytes = model(
            &[classifier(), zipmap(), looped],
            &["X", "n"],
            &["maps", "y"],
        );
        assert_eq!(rewrite(&bytes), Ok(None));
        let mut external = message(&[(8, b"w")]);
        external.extend_from_slice(&[14 << 3, 1]);
        let bytes = model_with(&[classifier(), zipmap()], &["X"], &["maps"], &[external]);
        assert_eq!(rewrite(&bytes), Ok(None));
        // The same with the initializer inside the file: dropped.
        let inside = message(&[(8, b"w")]);
        let bytes = model_with(&[classifier(), zipmap()], &["X"], &["maps"], &[inside]);
        assert!(rewrite(&bytes).unwrap().is_some());
        // Two graph fields (a reader would merge them): left alone.
        let mut bytes = model(&[classifier(), zipmap()], &["X"], &["maps"]);
        bytes.extend_from_slice(&model(&[], &[], &[])[2..]);
        assert_eq!(rewrite(&bytes), Ok(None));
        assert!(rewrite(&[0x3a, 0xff]).is_err());
    }

    trait ReplaceDomain {
        fn replace_domain(self) -> Self;
    }

    impl ReplaceDomain for Vec<u8> {
        /// The node with domain `ai.onnx.mx` instead of `ai.onnx.ml`.
        fn replace_domain(mut self) -> Self {
            let at = self.windows(10).position(|w| w == b"ai.onnx.ml").unwrap();
            self[at + 9] = b'x';
            self
        }
    }
}
