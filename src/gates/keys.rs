//! Where a key sits in `gates.toml`, and which known key a typo meant.

/// The byte offset of `key = ...` in the table whose header starts at
/// `header` (up to the next table header), or `header` when not found.
pub fn key_offset(text: &str, header: usize, key: &str) -> usize {
    let mut offset = header;
    let mut first = true;
    for line in text.get(header..).unwrap_or("").split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !first && trimmed.starts_with('[') {
            break;
        }
        first = false;
        let indent = line.len() - trimmed.len();
        let bare = trimmed
            .strip_prefix(key)
            .filter(|rest| rest.trim_start().starts_with('='));
        let quoted = trimmed
            .strip_prefix(&format!("\"{key}\""))
            .filter(|rest| rest.trim_start().starts_with('='));
        if bare.is_some() || quoted.is_some() {
            return offset + indent;
        }
        offset += line.len();
    }
    header
}

/// The byte offset of the value of `key = value` (see [`key_offset`]).
pub fn value_offset(text: &str, header: usize, key: &str) -> usize {
    let at = key_offset(text, header, key);
    let rest = text.get(at..).unwrap_or("");
    match rest.find('=') {
        Some(eq) if !rest[..eq].contains('\n') => {
            let after = &rest[eq + 1..];
            at + eq + 1 + (after.len() - after.trim_start().len())
        }
        _ => at,
    }
}

/// The known key nearest to `typo` by edit distance, when close enough to
/// be a slip of the keyboard (at most a third of its letters, at least one).
pub fn nearest<'a>(typo: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (typo.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (levenshtein(typo, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_inside_their_own_table_only() {
        let text = "[[gate]]\nkind = \"drift\"\n  max_ps = 1\n[[gate]]\nmax_ps = 2\n";
        assert_eq!(key_offset(text, 0, "max_ps"), text.find("max_ps").unwrap());
        let second = text.rfind("[[gate]]").unwrap();
        assert_eq!(
            key_offset(text, second, "max_ps"),
            text.rfind("max_ps").unwrap()
        );
        assert_eq!(key_offset(text, 0, "absent"), 0);
        assert_eq!(key_offset(text, 0, "max"), 0, "a prefix is not the key");
    }

    #[test]
    fn suggests_near_keys_only() {
        let known = ["reference", "max_psi"];
        assert_eq!(nearest("max_ps", &known), Some("max_psi"));
        assert_eq!(nearest("refrence", &known), Some("reference"));
        assert_eq!(nearest("colour", &known), None);
    }
}
