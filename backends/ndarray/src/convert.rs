//! Shape-checked conversions between ndarray's types and this backend's storage.
//!
//! The storage is `Array2`/`Array1`; these functions accept any view or layout (non-standard
//! strides are copied into standard layout) and flat buffers, and convert to and from faer.

use backprop_backend::{LinalgError, validate};
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2};

/// Copies any 2-D array or view (any layout or strides) into standard-layout storage.
#[must_use]
pub fn mat_from_view<T: Clone>(a: &ArrayRef2<T>) -> Array2<T> {
    a.as_standard_layout().into_owned()
}

/// Copies any 1-D array or view into contiguous storage.
#[must_use]
pub fn vec_from_view<T: Clone>(v: &ArrayRef1<T>) -> Array1<T> {
    v.as_standard_layout().into_owned()
}

/// The `rows×cols` array whose entries are `data` in row-major order (takes ownership, no copy).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
pub fn try_mat_from_vec<T>(
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> Result<Array2<T>, LinalgError> {
    validate::same_len("try_mat_from_vec", rows * cols, data.len())?;
    Ok(Array2::from_shape_vec((rows, cols), data).expect("the length was checked"))
}

/// An array shaped `rows×cols` from any 2-D array, checking the shape (e.g. before handing a
/// user's array to code with static sizes).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] when `a` is not `rows×cols`.
pub fn try_mat_with_shape<T: Clone>(
    a: &ArrayRef2<T>,
    rows: usize,
    cols: usize,
) -> Result<Array2<T>, LinalgError> {
    validate::same_shape("try_mat_with_shape", (rows, cols), a.dim())?;
    Ok(mat_from_view(a))
}

/// Copies an array into a faer matrix.
#[must_use]
pub fn to_faer<T: Copy>(a: &ArrayRef2<T>) -> faer::Mat<T> {
    faer::Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
}

/// Copies a faer matrix view into a standard-layout array.
#[must_use]
pub fn from_faer<T: Copy>(m: faer::MatRef<'_, T>) -> Array2<T> {
    crate::views::array_from_faer(m)
}
