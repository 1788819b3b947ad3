//! A dense column-major `f64` matrix: the model input after preprocessing.
//!
//! Column-major because training touches one feature at a time (gradients,
//! split search) and polars hands us columns; single-row scoring never builds
//! a matrix at all (see `Model::score_row`).

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    /// `data[j * rows + i]` is row `i`, column `j`.
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Column `j` as a slice of length `rows`.
    pub fn col(&self, j: usize) -> &[f64] {
        &self.data[j * self.rows..(j + 1) * self.rows]
    }

    pub fn col_mut(&mut self, j: usize) -> &mut [f64] {
        let rows = self.rows;
        &mut self.data[j * rows..(j + 1) * rows]
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[j * self.rows + i]
    }

    /// Copies row `i` into `out` (length `cols`).
    pub fn row_into(&self, i: usize, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.data[j * self.rows + i];
        }
    }

    /// Builds a matrix from row-major rows (tests and small inputs).
    pub fn from_rows(rows: &[Vec<f64>]) -> Matrix {
        let n = rows.len();
        let cols = rows.first().map_or(0, Vec::len);
        let mut m = Matrix::zeros(n, cols);
        for (i, r) in rows.iter().enumerate() {
            for (j, &x) in r.iter().enumerate() {
                m.data[j * n + i] = x;
            }
        }
        m
    }
}
