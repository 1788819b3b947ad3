//! Taking a fixed number of items evenly from many, the same on every run.

/// The index of the `i`-th of `k` picks evenly spaced over `n` items, from
/// the first to near the last (`i < k <= n`).
pub fn spread_index(i: usize, n: usize, k: usize) -> usize {
    i * n / k
}

/// `rows`, or `k` of them evenly spaced from the first to near the last
/// when there are more: a sample of the whole file (the newest rows of a
/// file sorted by time too, where a first-`k` cut would miss them), the
/// same on every run.
pub fn spread(rows: &[usize], k: usize) -> std::borrow::Cow<'_, [usize]> {
    let n = rows.len();
    if n <= k {
        return std::borrow::Cow::Borrowed(rows);
    }
    std::borrow::Cow::Owned((0..k).map(|i| rows[spread_index(i, n, k)]).collect())
}

/// The positions [`spread`] takes of `n` rows: `0..n`, or `k` of them
/// evenly spaced when there are more (no list of all `n` is made).
pub fn spread_positions(n: usize, k: usize) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    (0..k).map(|i| spread_index(i, n, k)).collect()
}

/// The items of `items` at the ascending indices `wanted` (an index given
/// twice is taken once, one past the end is left out), taken as they go
/// by: the rest are never held, and none is read past the last wanted.
pub fn picked<T>(
    items: impl Iterator<Item = T>,
    wanted: impl IntoIterator<Item = usize>,
) -> impl Iterator<Item = T> {
    let mut items = items.enumerate();
    let mut wanted = wanted.into_iter().peekable();
    std::iter::from_fn(move || loop {
        let want = *wanted.peek()?;
        let (i, item) = items.next()?;
        if i == want {
            while wanted.peek() == Some(&i) {
                wanted.next();
            }
            return Some(item);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{picked, spread};

    #[test]
    fn picked_takes_each_wanted_index_once() {
        let got: Vec<char> = picked("abcdefg".chars(), [0, 2, 2, 5, 9]).collect();
        assert_eq!(got, ['a', 'c', 'f']);
        assert_eq!(picked("abc".chars(), []).count(), 0);
        assert_eq!(picked(std::iter::empty::<char>(), [0, 1]).count(), 0);
        // None is read past the last wanted index.
        let mut read = 0;
        let _: Vec<usize> = picked((0..100).inspect(|_| read += 1), [3]).collect();
        assert_eq!(read, 4);
    }

    #[test]
    fn spread_keeps_few_rows_and_spaces_many() {
        let rows: Vec<usize> = (10..20).collect();
        assert_eq!(&*spread(&rows, 20), &rows[..]);
        assert_eq!(&*spread(&rows, 4), &[10, 12, 15, 17]);
    }
}
