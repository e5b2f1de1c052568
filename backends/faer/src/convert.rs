//! Shape-checked conversions between faer's types and this backend's storage.
//!
//! The storage *is* faer's `Mat`/`Col`, so owned values need no conversion; these functions
//! cover borrowed views and flat buffers.

use backprop_backend::{LinalgError, validate};
use faer::traits::ComplexField;
use faer::{Col, ColRef, Mat, MatRef};

/// Copies any faer matrix view (any strides) into owned storage.
#[must_use]
pub fn mat_from_view<T: ComplexField>(a: MatRef<'_, T>) -> Mat<T> {
    a.to_owned()
}

/// Copies any faer column view into owned storage.
#[must_use]
pub fn vec_from_view<T: ComplexField>(v: ColRef<'_, T>) -> Col<T> {
    v.to_owned()
}

/// The `rows×cols` matrix whose entries are `data` in row-major order.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
pub fn try_mat_from_row_major<T: ComplexField>(
    rows: usize,
    cols: usize,
    data: &[T],
) -> Result<Mat<T>, LinalgError> {
    validate::same_len("try_mat_from_row_major", rows * cols, data.len())?;
    Ok(MatRef::from_row_major_slice(data, rows, cols).to_owned())
}

/// The `rows×cols` matrix whose entries are `data` in column-major order.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
pub fn try_mat_from_col_major<T: ComplexField>(
    rows: usize,
    cols: usize,
    data: &[T],
) -> Result<Mat<T>, LinalgError> {
    validate::same_len("try_mat_from_col_major", rows * cols, data.len())?;
    Ok(MatRef::from_column_major_slice(data, rows, cols).to_owned())
}

/// The column holding a copy of `data`.
#[must_use]
pub fn vec_from_slice<T: ComplexField>(data: &[T]) -> Col<T> {
    ColRef::from_slice(data).to_owned()
}
