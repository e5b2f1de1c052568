//! Shape-checked conversions between nalgebra's types and this backend's storage.
//!
//! The storage *is* `DMatrix`/`DVector`; these functions accept any nalgebra matrix or view
//! (static sizes, strided views) and flat buffers.

use backprop_backend::{LinalgError, validate};
use nalgebra::{DMatrix, DVector, Dim, Matrix, RawStorage};

/// Copies any nalgebra matrix or view (static or dynamic size, any strides) into owned storage.
#[must_use]
pub fn mat_from_nalgebra<T: nalgebra::Scalar, R: Dim, C: Dim, S: RawStorage<T, R, C>>(
    a: &Matrix<T, R, C, S>,
) -> DMatrix<T> {
    DMatrix::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)].clone())
}

/// Copies any nalgebra column vector or view into owned storage.
#[must_use]
pub fn vec_from_nalgebra<T: nalgebra::Scalar, R: Dim, S: RawStorage<T, R, nalgebra::U1>>(
    v: &Matrix<T, R, nalgebra::U1, S>,
) -> DVector<T> {
    DVector::from_fn(v.nrows(), |i, _| v[i].clone())
}

/// The `rows×cols` matrix whose entries are `data` in row-major order (takes ownership).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
pub fn try_mat_from_row_major<T: nalgebra::Scalar>(
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> Result<DMatrix<T>, LinalgError> {
    validate::same_len("try_mat_from_row_major", rows * cols, data.len())?;
    Ok(DMatrix::from_row_iterator(rows, cols, data))
}

/// The `rows×cols` matrix whose entries are `data` in column-major order (takes ownership,
/// no copy).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
pub fn try_mat_from_col_major<T: nalgebra::Scalar>(
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> Result<DMatrix<T>, LinalgError> {
    validate::same_len("try_mat_from_col_major", rows * cols, data.len())?;
    Ok(DMatrix::from_vec(rows, cols, data))
}

/// A static-size nalgebra matrix from dynamic storage.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `a` is not `R×C`.
pub fn try_mat_to_static<T: nalgebra::Scalar, const R: usize, const C: usize>(
    a: &DMatrix<T>,
) -> Result<nalgebra::SMatrix<T, R, C>, LinalgError> {
    validate::same_shape("try_mat_to_static", (R, C), a.shape())?;
    Ok(nalgebra::SMatrix::<T, R, C>::from_fn(|i, j| {
        a[(i, j)].clone()
    }))
}
