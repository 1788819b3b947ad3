//! `{:?}` of an `f64` (the shortest text that reads back as the same
//! value), written faster: the shortest digits come from Ryu (`ryu`), then
//! are laid out exactly as the standard library's `Debug` lays them out.
//! `predict` writes millions of these (a score and every contribution of
//! every row), and its output is compared bit for bit, so the text must be
//! the standard one to the byte: the tests check it against `format!`.

/// Appends `format!("{v:?}")` to `text`.
pub fn push_debug(text: &mut String, v: f64) {
    if !v.is_finite() {
        use std::fmt::Write as _;
        let _ = write!(text, "{v:?}");
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let ryu = buffer.format_finite(v);
    let (negative, body) = match ryu.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, ryu),
    };
    // Ryu's text as digits (no leading zeros) and `exp`, the value being
    // 0.DIGITS x 10^exp.
    let mut digits = [0u8; 24];
    let mut n = 0;
    let (mantissa, e) = match body.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().ok()),
        None => (body, Some(0)),
    };
    let Some(e) = e else {
        use std::fmt::Write as _;
        let _ = write!(text, "{v:?}");
        return;
    };
    // Digits before the point count towards the exponent.
    let mut before = 0i32;
    let mut point = false;
    for &b in mantissa.as_bytes() {
        match b {
            b'.' => point = true,
            b'0'..=b'9' => {
                if n == 0 && b == b'0' {
                    // A leading zero: shifts the exponent after the point.
                    if point {
                        before -= 1;
                    }
                    continue;
                }
                if let Some(d) = digits.get_mut(n) {
                    *d = b;
                    n += 1;
                }
                if !point {
                    before += 1;
                }
            }
            _ => {}
        }
    }
    // Trailing zeros (Ryu writes "100.0", "1e16").
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    if negative {
        text.push('-');
    }
    if n == 0 {
        text.push_str("0.0");
        return;
    }
    let digits = &digits[..n];
    let exp = before + e;
    let abs = v.abs();
    let push = |text: &mut String, d: &[u8]| d.iter().for_each(|&b| text.push(char::from(b)));
    if abs < 1e-4 || abs >= 1e16 {
        push(text, &digits[..1]);
        if n > 1 {
            text.push('.');
            push(text, &digits[1..]);
        }
        text.push('e');
        let mut b = itoa_buffer();
        text.push_str(b.format(exp - 1));
    } else if exp <= 0 {
        text.push_str("0.");
        (0..-exp).for_each(|_| text.push('0'));
        push(text, digits);
    } else if (exp as usize) < n {
        push(text, &digits[..exp as usize]);
        text.push('.');
        push(text, &digits[exp as usize..]);
    } else {
        push(text, digits);
        (n..exp as usize).for_each(|_| text.push('0'));
        text.push_str(".0");
    }
}

/// A small integer formatter for the exponent.
fn itoa_buffer() -> Exponent {
    Exponent([0; 8])
}

struct Exponent([u8; 8]);

impl Exponent {
    fn format(&mut self, e: i32) -> &str {
        let mut i = self.0.len();
        let mut m = e.unsigned_abs();
        loop {
            i -= 1;
            self.0[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        if e < 0 {
            i -= 1;
            self.0[i] = b'-';
        }
        std::str::from_utf8(&self.0[i..]).unwrap_or("0")
    }
}

#[cfg(test)]
mod tests {
    use super::push_debug;

    fn check(v: f64) {
        let mut got = String::new();
        push_debug(&mut got, v);
        assert_eq!(got, format!("{v:?}"), "bits {:#x}", v.to_bits());
    }

    #[test]
    fn edges_read_as_the_standard_debug() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            10.0,
            100.0,
            123.456,
            1e-4,
            -1e-4,
            0.99999e-4,
            1e-5,
            1.5e-5,
            9.999999999999999e15,
            1e16,
            1.5e16,
            1e15,
            123456789012345.6,
            1e21,
            1e22,
            1e100,
            1e-100,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            2.2250738585072009e-308,
            0.3,
            2.0 / 3.0,
            -0.7632405555924003,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(v);
        }
        for e in -330..310 {
            for m in [1.0, 1.5, 9.999, 2.0 / 3.0] {
                check(m * 10f64.powi(e));
                check(-m * 10f64.powi(e));
            }
        }
    }

    #[test]
    fn random_values_read_as_the_standard_debug() {
        // SplitMix64.
        let mut state = 3u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for _ in 0..300_000 {
            // Any bit pattern, and values of the sizes contributions have.
            check(f64::from_bits(next()));
            let scale = 10f64.powi((next() % 24) as i32 - 12);
            check((next() as f64 / u64::MAX as f64 - 0.5) * scale);
        }
    }
}
