//! Escaping for the XML-family outputs (JUnit XML, HTML, inline SVG): one
//! function, safe in text and in double- or single-quoted attributes.

/// `text` with `& < > " '` as entities; characters XML 1.0 forbids (control
/// characters other than tab, newline and carriage return) become U+FFFD, so
/// any gate message or column name yields well-formed output.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            escape("a <b> & \"c\" 'd'"),
            "a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(escape("x\u{1}y\tz\n"), "x\u{FFFD}y\tz\n");
        assert_eq!(escape("<missing> ü"), "&lt;missing&gt; ü");
    }
}
