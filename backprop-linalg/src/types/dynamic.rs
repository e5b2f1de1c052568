//! [`Vector`] and [`Matrix`]: real vectors and matrices whose size is known only at run time
//! (hmatrix's unsized `Vector` and `Matrix`), e.g. a batch size read from data.
//!
//! Element-wise operations between values of different shapes panic with a message giving both
//! shapes; constructors have `try_` forms.

use crate::backend::{Backend, LinalgError, RealMatrix, RealVector, or_fail};
use crate::dense::{Construct, Dense, MatKind, VecKind, impl_dense};

/// A real vector of run-time length.
pub struct Vector<B: Backend = crate::DefaultBackend> {
    data: RealVector<B>,
}

/// A real matrix of run-time shape.
pub struct Matrix<B: Backend = crate::DefaultBackend> {
    data: RealMatrix<B>,
}

impl<B: Backend> Construct<B> for Vector<B> {
    type Kind = VecKind;
    fn data_mut(&mut self) -> &mut RealVector<B> {
        &mut self.data
    }
    fn wrap(data: RealVector<B>) -> Self {
        Vector { data }
    }
}

impl<B: Backend> Dense<B> for Vector<B> {
    fn data(&self) -> &RealVector<B> {
        &self.data
    }
}

impl<B: Backend> Construct<B> for Matrix<B> {
    type Kind = MatKind;
    fn data_mut(&mut self) -> &mut RealMatrix<B> {
        &mut self.data
    }
    fn wrap(data: RealMatrix<B>) -> Self {
        Matrix { data }
    }
}

impl<B: Backend> Dense<B> for Matrix<B> {
    fn data(&self) -> &RealMatrix<B> {
        &self.data
    }
}

impl_dense!([B: Backend] Vector<B>);
impl_dense!([B: Backend] Matrix<B>);

impl<B: Backend> Vector<B> {
    /// From a slice.
    pub fn from_slice(s: &[f64]) -> Self {
        Self::wrap(B::vec_from_slice(s))
    }

    /// Entry `i` of `n` from `f(i)`.
    pub fn from_fn(n: usize, f: impl FnMut(usize) -> f64) -> Self {
        Self::wrap(B::vec_from_fn(n, f))
    }

    /// From the backend's storage.
    pub fn from_data(data: RealVector<B>) -> Self {
        Self::wrap(data)
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &RealVector<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably: an update in place with the backend's own
    /// routines (an optimiser's step, say).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape (the type's size would no longer hold).
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut RealVector<B>) -> T) -> T {
        crate::dense::any::update_data(self, f)
    }

    /// The length.
    pub fn len(&self) -> usize {
        B::vec_len(&self.data)
    }

    /// Whether the length is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries.
    pub fn to_vec(&self) -> Vec<f64> {
        B::vec_to_vec(&self.data)
    }
}

impl<B: Backend> Matrix<B> {
    /// From `rows·cols` entries in row-major order.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"Matrix::from_row_major"`) if the slice's length is
    /// not `rows·cols`.
    pub fn try_from_row_major(rows: usize, cols: usize, s: &[f64]) -> Result<Self, LinalgError> {
        B::mat_from_row_major(rows, cols, s)
            .map(Self::wrap)
            .map_err(|e| e.with_op("Matrix::from_row_major"))
    }

    /// From `rows·cols` entries in row-major order.
    ///
    /// # Panics
    /// If the slice's length is not `rows·cols`.
    #[track_caller]
    pub fn from_row_major(rows: usize, cols: usize, s: &[f64]) -> Self {
        or_fail(Self::try_from_row_major(rows, cols, s))
    }

    /// Entry `(i, j)` of a `rows×cols` matrix from `f(i, j)`.
    pub fn from_fn(rows: usize, cols: usize, f: impl FnMut(usize, usize) -> f64) -> Self {
        Self::wrap(B::mat_from_fn(rows, cols, f))
    }

    /// From the backend's storage.
    pub fn from_data(data: RealMatrix<B>) -> Self {
        Self::wrap(data)
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &RealMatrix<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably: an update in place with the backend's own
    /// routines (an optimiser's step, say).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape (the type's size would no longer hold).
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut RealMatrix<B>) -> T) -> T {
        crate::dense::any::update_data(self, f)
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        B::mat_shape(&self.data)
    }

    /// The entries in row-major order.
    pub fn to_row_major(&self) -> Vec<f64> {
        B::mat_to_row_major(&self.data)
    }
}
