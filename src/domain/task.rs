//! The task a model is judged on. Today one kind: binary classification of
//! a target column against its positive value, at a decision threshold. The
//! assumption lives here (labelling, predicting, which metrics apply), so a
//! multiclass or regression task is a new variant, not a change everywhere.
use serde::{Deserialize, Serialize};

/// Binary classification: `target == positive` is class 1, a row is
/// predicted positive when its score is at least `threshold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryTask {
    pub target: String,
    pub positive: String,
    pub threshold: f64,
}

impl BinaryTask {
    /// The predicted class of a positive-class score (NaN predicts 0).
    pub fn predict(&self, score: f64) -> u8 {
        u8::from(score >= self.threshold)
    }

    /// Whether a target value, as text, is the positive class.
    pub fn is_positive(&self, value: &str) -> bool {
        is_positive_text(value, &self.positive)
    }

    /// Whether another model was trained for the same task (same target and
    /// positive class, however spelled); thresholds may differ.
    pub fn same_labels(&self, target: &str, positive: &str) -> bool {
        self.target == target && is_positive_text(positive, &self.positive)
    }
}

/// Whether a target value, as text, is `positive` ("compared as text",
/// forgiving only how a file or parser spells the same value: surrounding
/// spaces (` >50K` is `>50K`), `1.0` is `1`, `True` is `true`).
pub fn is_positive_text(value: &str, positive: &str) -> bool {
    let (v, p) = (folded(value), folded(positive));
    let (v, p) = (v.as_ref(), p.as_ref());
    if v == p {
        return true;
    }
    // Integers as integers: 2^53 and 2^53 + 1 are one float.
    if let (Ok(a), Ok(b)) = (v.parse::<i128>(), p.parse::<i128>()) {
        return a == b;
    }
    match (v.parse::<f64>(), p.parse::<f64>()) {
        (Ok(a), Ok(b)) => return a == b,
        (Ok(_), _) | (_, Ok(_)) => return false,
        _ => {}
    }
    let boolean = |t: &str| t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false");
    boolean(v) && boolean(p) && v.eq_ignore_ascii_case(p)
}

/// `value` without the invisible format characters a copy from a web
/// page or a spreadsheet leaves (zero-width spaces and joiners, a BOM,
/// direction marks, a soft hyphen), and trimmed: `"yes\u{200b}"` is `yes`.
pub fn folded(value: &str) -> std::borrow::Cow<'_, str> {
    let invisible = |c: &char| {
        matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{feff}')
    };
    if !value.chars().any(|c| invisible(&c)) {
        return std::borrow::Cow::Borrowed(value.trim());
    }
    let kept: String = value.chars().filter(|c| !invisible(c)).collect();
    std::borrow::Cow::Owned(kept.trim().to_string())
}

/// Target values that mean "no label": empty once trimmed (and invisible
/// characters dropped), or a spelling of missing that pandas and
/// spreadsheets write and no class is named (`NA`, `N/A`, `#N/A`, `NaN`,
/// `null`, `?`, any case). Such a row has no label; read as a third class
/// it would count as a negative (round 18, F2). `-` and `None` are left
/// alone: they name classes (`+`/`-` targets, a `None`/`Mild`/`Severe`
/// grade).
pub fn is_missing_label(value: &str) -> bool {
    let v = folded(value);
    v.is_empty()
        || ["na", "n/a", "#n/a", "nan", "null", "?"]
            .iter()
            .any(|m| v.eq_ignore_ascii_case(m))
}

/// Cells of an otherwise numeric column that mean "no number": those of
/// [`is_missing_label`], and `-` and `None` too (no number is spelled so).
pub fn is_missing_number(value: &str) -> bool {
    let v = folded(value);
    is_missing_label(&v) || v == "-" || v.eq_ignore_ascii_case("none")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_forgives_spelling_only() {
        assert!(is_positive_text(" >50K", ">50K"));
        assert!(is_positive_text("1.0", "1"));
        assert!(is_positive_text("True", "true"));
        assert!(!is_positive_text("0", "1"));
        assert!(!is_positive_text("yes", "Yes"));
        assert!(!is_positive_text("1", "true"));
        assert!(!is_positive_text("9007199254740992", "9007199254740993"));
        assert!(is_positive_text("+42", "42"));
        // Invisible characters from a copy and paste (round 18, F9).
        assert!(is_positive_text("yes\u{200b}", "yes"));
        assert!(is_positive_text("\u{feff}yes", "yes"));
        assert!(is_positive_text("ye\u{00ad}s", "yes"));
        assert!(
            !is_positive_text("ye\u{0455}", "yes"),
            "a homoglyph is another value"
        );
    }

    #[test]
    fn missing_labels_are_blank_or_spelled_missing() {
        for v in [
            "", " ", "\t", "\u{200b}", "NA", "n/a", "#N/A", "NaN", "NULL", "?",
        ] {
            assert!(is_missing_label(v), "{v:?}");
            assert!(is_missing_number(v), "{v:?}");
        }
        // Class names: a `+`/`-` target, a `None`/`Mild`/`Severe` grade.
        for v in ["-", "None", " none "] {
            assert!(!is_missing_label(v), "{v:?}");
            assert!(is_missing_number(v), "{v:?}");
        }
        for v in [
            "0",
            "no",
            "No",
            "nay",
            "N",
            "none of these",
            "--",
            "yes",
            "+",
        ] {
            assert!(!is_missing_label(v), "{v:?}");
            assert!(!is_missing_number(v), "{v:?}");
        }
    }

    #[test]
    fn predicts_at_the_threshold() {
        let t = BinaryTask {
            target: "y".into(),
            positive: "1".into(),
            threshold: 0.5,
        };
        assert_eq!(t.predict(0.5), 1);
        assert_eq!(t.predict(0.4999), 0);
        assert_eq!(t.predict(f64::NAN), 0);
        assert!(t.same_labels("y", "1.0"));
        assert!(!t.same_labels("z", "1"));
    }
}
