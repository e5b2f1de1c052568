//! [`Dense`]: a plain row-major `f64` matrix with naive reference operations.
//!
//! Tests move backend results into `Dense` and check them with these loops, which are too
//! simple to share a bug with any backend.

use backprop_backend::LinalgBackend;

/// A row-major matrix of `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Entries, row 0 first.
    pub data: Vec<f64>,
}

impl Dense {
    /// The matrix with entries `f(i, j)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Self { rows, cols, data }
    }
    /// The `n×n` identity.
    #[must_use]
    pub fn identity(n: usize) -> Self {
        Self::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 })
    }
    /// Entry `(i, j)`.
    #[must_use]
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }
    /// `(rows, cols)`.
    #[must_use]
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }
    /// The transpose.
    #[must_use]
    pub fn t(&self) -> Self {
        Self::from_fn(self.cols, self.rows, |i, j| self.at(j, i))
    }
    /// Naive triple-loop product.
    ///
    /// # Panics
    /// If the inner dimensions differ.
    #[must_use]
    pub fn matmul(&self, b: &Self) -> Self {
        assert_eq!(self.cols, b.rows, "naive matmul: inner dimensions");
        Self::from_fn(self.rows, b.cols, |i, j| {
            (0..self.cols).map(|k| self.at(i, k) * b.at(k, j)).sum()
        })
    }
    /// `alpha·self + beta·b`, entry-wise.
    #[must_use]
    pub fn lin(&self, alpha: f64, b: &Self, beta: f64) -> Self {
        assert_eq!(self.shape(), b.shape(), "naive lin: shapes");
        Self::from_fn(self.rows, self.cols, |i, j| {
            alpha * self.at(i, j) + beta * b.at(i, j)
        })
    }
    /// Largest absolute entry (0 for empty).
    #[must_use]
    pub fn max_abs(&self) -> f64 {
        self.data.iter().fold(0.0, |m, x| m.max(x.abs()))
    }
    /// Largest absolute entry-wise difference; `INFINITY` if the shapes differ.
    #[must_use]
    pub fn max_diff(&self, b: &Self) -> f64 {
        if self.shape() != b.shape() {
            return f64::INFINITY;
        }
        self.data
            .iter()
            .zip(&b.data)
            .fold(0.0, |m, (x, y)| m.max((x - y).abs()))
    }
    /// Column `j`.
    #[must_use]
    pub fn col(&self, j: usize) -> Vec<f64> {
        (0..self.rows).map(|i| self.at(i, j)).collect()
    }
    /// The diagonal matrix `rows×cols` with `d` on its diagonal.
    #[must_use]
    pub fn diag(rows: usize, cols: usize, d: &[f64]) -> Self {
        Self::from_fn(
            rows,
            cols,
            |i, j| if i == j && i < d.len() { d[i] } else { 0.0 },
        )
    }
    /// Converts to a backend's storage.
    #[must_use]
    pub fn to<B: LinalgBackend<f64>>(&self) -> B::Matrix {
        B::mat_from_row_major(self.rows, self.cols, &self.data)
            .expect("Dense has a consistent length")
    }
    /// Converts from a backend's storage.
    #[must_use]
    pub fn of<B: LinalgBackend<f64>>(m: &B::Matrix) -> Self {
        let (rows, cols) = B::mat_shape(m);
        Self {
            rows,
            cols,
            data: B::mat_to_row_major(m),
        }
    }
}
