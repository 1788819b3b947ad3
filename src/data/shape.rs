//! The shape of a CSV file, checked before polars parses it: every record
//! has as many fields as the header, there are no blank lines, and every
//! quoted field is closed.
//!
//! Why not leave this to polars: it pads a short row with nulls and reads a
//! blank line as a row of nulls, silently, and its messages for a long row
//! suggest Python options. A ragged file is almost always a broken export, so
//! we stop with the line number instead of training on shifted columns.
//!
//! Quotes follow RFC 4180 (as Python's `csv` and pandas): a `"` opens a quoted
//! field only at the start of a field, `""` inside one is a literal quote,
//! and a quoted field may span lines. The common case, a line without any
//! `"`, is a plain comma count.

/// The header's field names (quotes removed) and the number of data records.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub header: Vec<String>,
    pub records: usize,
}

/// A record found wrong, by the physical line (1-based) it starts on.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bad {
    line: usize,
    fields: usize,
}

/// The text of a CSV file's `bytes`: without its leading BOMs (a file
/// saved twice by tools that each add one would otherwise name its first
/// column "\u{feff}x0"), when it is UTF-8 without a NUL byte. A NUL byte
/// is valid UTF-8 but no text an export writes: a binary file, or UTF-16
/// text without its BOM; read on, it would split one category into two
/// that look alike (`a` and `a\0`). Errors name the byte and its line.
pub fn text_body(bytes: &[u8]) -> Result<&[u8], String> {
    let mut body = bytes;
    while let Some(rest) = body.strip_prefix(b"\xef\xbb\xbf") {
        body = rest;
    }
    let line = |at: usize| memchr::memchr_iter(b'\n', &body[..at]).count() + 1;
    if let Err(e) = std::str::from_utf8(body) {
        let at = e.valid_up_to();
        return Err(format!(
            "not valid UTF-8 at byte {at} (line {}); re-encode the file as UTF-8",
            line(at)
        ));
    }
    if let Some(at) = memchr::memchr(0, body) {
        return Err(format!(
            "holds a NUL byte at byte {at} (line {}): a binary file, or text saved as UTF-16? \
             re-encode the file as UTF-8 text",
            line(at)
        ));
    }
    Ok(body)
}

/// Checks `body` (UTF-8, without a BOM). The error names the first bad line
/// and how many lines are bad.
pub fn check(body: &[u8]) -> Result<Shape, String> {
    check_with(body, b',')
}

/// [`check`] for fields separated by `sep`.
pub fn check_with(body: &[u8], sep: u8) -> Result<Shape, String> {
    // Classic Mac line endings: without this the whole file reads as one
    // header line, and the error would be about duplicate column names.
    if memchr::memchr(b'\n', body).is_none() && memchr::memchr(b'\r', body).is_some() {
        return Err(
            "the line endings are CR only (classic Mac); save the file with LF or \
                    CRLF line endings"
                .into(),
        );
    }
    let mut scan = Scanner::new(body, sep);
    let header = scan.header()?;
    let want = header.len();
    let rest = &body[scan.pos..];
    if memchr::memchr(b'"', rest).is_none() {
        return plain_records(rest, want, scan.line, sep).map(|records| Shape { header, records });
    }
    let mut records = 0usize;
    let mut first_bad: Option<Bad> = None;
    let mut n_bad = 0usize;
    while scan.pos < body.len() {
        let line = scan.line;
        let fields = scan.record()?;
        records += 1;
        // In a one-column file a blank line is a missing value.
        if fields != want && !(fields == 0 && want == 1) {
            n_bad += 1;
            first_bad.get_or_insert(Bad { line, fields });
        }
    }
    match first_bad {
        None => Ok(Shape { header, records }),
        Some(b) => Err(ragged_message(b, want, n_bad)),
    }
}

/// Bytes per parallel piece of a file without quotes (cut after a newline).
const PIECE_BYTES: usize = 1 << 20;

/// Field counts of a piece: records, bad records and the first bad one
/// (by its line index within the piece).
#[derive(Debug, Default, Clone, Copy)]
struct Piece {
    lines: usize,
    bad: usize,
    first_bad: Option<Bad>,
}

/// The common case, no `"` after the header: every line is one record, so
/// pieces cut at newlines are checked in parallel and joined in order.
/// `first_line` is the line number of `rest`'s first line.
fn plain_records(rest: &[u8], want: usize, first_line: usize, sep: u8) -> Result<usize, String> {
    use rayon::prelude::*;
    let mut cuts = vec![0];
    while let Some(&last) = cuts.last() {
        if last >= rest.len() {
            break;
        }
        let from = (last + PIECE_BYTES).min(rest.len());
        let next = memchr::memchr(b'\n', &rest[from..]).map_or(rest.len(), |i| from + i + 1);
        cuts.push(next);
    }
    let pieces: Vec<Piece> = cuts
        .par_windows(2)
        .map(|w| plain_piece(&rest[w[0]..w[1]], want, sep))
        .collect();
    let (mut line, mut n_bad, mut first_bad) = (first_line, 0, None);
    for p in &pieces {
        if first_bad.is_none() {
            first_bad = p.first_bad.map(|b| Bad {
                line: line + b.line,
                ..b
            });
        }
        n_bad += p.bad;
        line += p.lines;
    }
    match first_bad {
        None => Ok(line - first_line),
        Some(b) => Err(ragged_message(b, want, n_bad)),
    }
}

/// One piece of whole lines; `Bad::line` is 0-based within the piece.
fn plain_piece(piece: &[u8], want: usize, sep: u8) -> Piece {
    let mut p = Piece::default();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', piece).chain(
        // A last line without a newline.
        (piece.last().is_some_and(|&b| b != b'\n')).then_some(piece.len()),
    );
    for end in ends {
        let line = &piece[start..end];
        let text = line.strip_suffix(b"\r").unwrap_or(line);
        let fields = if text.is_empty() {
            0
        } else {
            1 + text.iter().filter(|&&b| b == sep).count()
        };
        if fields != want && !(fields == 0 && want == 1) {
            p.bad += 1;
            p.first_bad.get_or_insert(Bad {
                line: p.lines,
                fields,
            });
        }
        p.lines += 1;
        start = end + 1;
    }
    p
}

fn ragged_message(b: Bad, want: usize, n_bad: usize) -> String {
    let more = match n_bad {
        1 => String::new(),
        n => format!(" ({n} ragged or blank lines in all)"),
    };
    if b.fields == 0 {
        return format!("line {} is blank{more}; remove empty lines", b.line);
    }
    let what = {
        let hint = if b.fields > want {
            "; quote values that contain a comma"
        } else {
            ""
        };
        format!(
            "line {} has {} field{}, but the header has {want}{hint}",
            b.line,
            b.fields,
            if b.fields == 1 { "" } else { "s" }
        )
    };
    format!("{what}{more}; every row needs exactly one value per column")
}

struct Scanner<'a> {
    body: &'a [u8],
    pos: usize,
    /// Physical line number (1-based) of `pos`.
    line: usize,
    /// The field separator.
    sep: u8,
    /// The line of the first `"` inside an unquoted field (`D"SL`): RFC
    /// 4180 reads it as text, polars does not.
    stray: Option<usize>,
}

/// The line (1-based) of the first `"` inside a field that does not start
/// with one (`D"SL`), which polars cannot parse although RFC 4180 readers
/// take it as text: named when polars fails (round 18, F6).
pub fn stray_quote_line(body: &[u8], sep: u8) -> Option<usize> {
    let mut scan = Scanner::new(body, sep);
    while scan.pos < body.len() && scan.stray.is_none() {
        scan.record().ok()?;
    }
    scan.stray
}

impl<'a> Scanner<'a> {
    fn new(body: &'a [u8], sep: u8) -> Scanner<'a> {
        Scanner {
            body,
            pos: 0,
            line: 1,
            sep,
            stray: None,
        }
    }

    fn header(&mut self) -> Result<Vec<String>, String> {
        let start = self.pos;
        let fields = self.record()?;
        let raw = &self.body[start..self.pos];
        if fields == 0 {
            return Err("the first line (the header) is empty".to_string());
        }
        Ok(split_fields(raw, char::from(self.sep)))
    }

    /// Consumes one record (with its line end); returns its field count,
    /// 0 for a blank line.
    fn record(&mut self) -> Result<usize, String> {
        let rest = &self.body[self.pos..];
        let end = rest.iter().position(|&b| b == b'\n');
        let line = &rest[..end.unwrap_or(rest.len())];
        if !line.contains(&b'"') {
            self.pos += end.map_or(rest.len(), |e| e + 1);
            self.line += 1;
            let text = line.strip_suffix(b"\r").unwrap_or(line);
            if text.is_empty() {
                return Ok(0);
            }
            return Ok(1 + text.iter().filter(|&&b| b == self.sep).count());
        }
        self.quoted_record()
    }

    /// The slow path: a record with quotes, which may span lines.
    fn quoted_record(&mut self) -> Result<usize, String> {
        let first_line = self.line;
        let mut fields = 1;
        let mut at_start = true;
        let mut quoted = false;
        while let Some(&b) = self.body.get(self.pos) {
            self.pos += 1;
            if quoted {
                match b {
                    b'"' if self.body.get(self.pos) == Some(&b'"') => self.pos += 1,
                    b'"' => quoted = false,
                    b'\n' => self.line += 1,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' if at_start => quoted = true,
                b'"' => {
                    self.stray.get_or_insert(self.line);
                }
                _ if b == self.sep => {
                    fields += 1;
                    at_start = true;
                    continue;
                }
                b'\n' => {
                    self.line += 1;
                    return Ok(fields);
                }
                _ => {}
            }
            at_start = false;
        }
        if quoted {
            return Err(format!(
                "line {first_line}: a quoted field is never closed (a `\"` without its closing `\"`)"
            ));
        }
        Ok(fields)
    }
}

/// Field texts of one record (its line end included), quotes removed.
fn split_fields(raw: &[u8], sep: char) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_end_matches('\n').trim_end_matches('\r');
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut at_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let cur = out.last_mut();
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.into_iter().for_each(|s| s.push('"'));
            }
            ('"', true) => quoted = false,
            ('"', false) if at_start => quoted = true,
            (c, false) if c == sep => {
                out.push(String::new());
                at_start = true;
                continue;
            }
            _ => cur.into_iter().for_each(|s| s.push(c)),
        }
        at_start = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        check(s.as_bytes()).unwrap_err()
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_found_by_its_line() {
        let body = b"a,b\n1,DSL\n2,\"x,y\"\n3,D\"SL\n4,E\"\n";
        assert_eq!(stray_quote_line(body, b','), Some(4));
        assert_eq!(stray_quote_line(b"a,b\n1,\"x\"\"y\"\n", b','), None);
        assert_eq!(stray_quote_line(b"a,b\n1,2\n", b','), None);
    }

    #[test]
    fn a_regular_file_passes_with_its_header_and_record_count() {
        let s = check(b"a,\"b,c\",\"d\"\"e\"\r\n1,2,3\r\n4,\"x\ny\",6").unwrap();
        assert_eq!(s.header, vec!["a", "b,c", "d\"e"]);
        assert_eq!(s.records, 2);
    }

    #[test]
    fn short_and_long_rows_name_the_first_line_and_count_all() {
        let e = err("a,b,c\n1,2,3\n1,2\n1,2,3,4\n");
        assert_eq!(
            e,
            "line 3 has 2 fields, but the header has 3 (2 ragged or blank lines in all); \
             every row needs exactly one value per column"
        );
        let e = err("a,b\n1,2,3\n");
        assert!(e.starts_with("line 2 has 3 fields, but the header has 2; quote values"));
    }

    #[test]
    fn blank_lines_are_reported_but_a_final_newline_is_not() {
        assert_eq!(check(b"a,b\n1,2\n").unwrap().records, 1);
        assert!(err("a,b\n1,2\n\n").starts_with("line 3 is blank"));
        assert!(err("a,b\r\n\r\n1,2\r\n").starts_with("line 2 is blank"));
        assert!(err("a,b\r1,2\r3,4\r").contains("CR only"));
    }

    #[test]
    fn line_numbers_count_newlines_inside_quotes() {
        let e = err("a,b\n\"x\ny\",1\n1\n");
        assert!(e.starts_with("line 4 has 1 field,"), "{e}");
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        assert_eq!(
            err("a,b\n1,2\n3,\"oops\n4,5\n"),
            "line 3: a quoted field is never closed (a `\"` without its closing `\"`)"
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_literal() {
        assert_eq!(check(b"h,a\n5'10\",x\n").unwrap().records, 1);
    }

    #[test]
    fn files_larger_than_a_piece_agree_with_the_quoted_path() {
        let mut text = String::from("a,b,c\n");
        let line = "1,22,333\n";
        let n = 2 * PIECE_BYTES / line.len() + 7;
        for i in 0..n {
            text.push_str(if i == n - 3 || i == n / 2 {
                "1,2\n"
            } else {
                line
            });
        }
        let e = err(&text);
        assert!(
            e.starts_with(&format!("line {} has 2 fields", n / 2 + 2)),
            "{e}"
        );
        assert!(e.contains("(2 ragged or blank lines in all)"), "{e}");
        // The same file with a quote takes the sequential path: same answer.
        let quoted = text.replacen("\n1,22,333\n", "\n\"1\",22,333\n", 1);
        assert_eq!(err(&quoted), e);
        let ok = text.replace("1,2\n", line);
        assert_eq!(check(ok.as_bytes()).unwrap().records, n);
        assert_eq!(check(ok.trim_end().as_bytes()).unwrap().records, n);
    }

    #[test]
    fn an_empty_header_is_an_error() {
        assert_eq!(err("\n1,2\n"), "the first line (the header) is empty");
    }
}
