//! Input checks shared by every backend, so each refuses bad input with the same
//! [`LinalgError`].

use crate::{LinalgBackend, LinalgError, Scalar, Transpose};

/// Formats a shape as `rows×cols`.
#[must_use]
pub fn shape_str((rows, cols): (usize, usize)) -> String {
    format!("{rows}×{cols}")
}

/// Checks that two matrix operands of an element-wise operation have the same shape.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when the shapes differ.
pub fn same_shape(
    op: &'static str,
    a: (usize, usize),
    b: (usize, usize),
) -> Result<(), LinalgError> {
    if a == b {
        Ok(())
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: shape_str(a),
            found: shape_str(b),
        })
    }
}

/// Checks that a length is the expected one (vector operands, slices).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when `found != expected`.
pub fn same_len(op: &'static str, expected: usize, found: usize) -> Result<(), LinalgError> {
    if expected == found {
        Ok(())
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: format!("length {expected}"),
            found: format!("length {found}"),
        })
    }
}

/// Checks that a matrix is square.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when `rows != cols`.
pub fn square(op: &'static str, shape: (usize, usize)) -> Result<usize, LinalgError> {
    if shape.0 == shape.1 {
        Ok(shape.0)
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: "a square matrix".to_owned(),
            found: shape_str(shape),
        })
    }
}

/// Checks that `start..end` lies inside a dimension of length `len`.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] naming `op` when `start > end` or `end > len`.
pub fn range(op: &'static str, r: &core::ops::Range<usize>, len: usize) -> Result<(), LinalgError> {
    if r.start <= r.end && r.end <= len {
        Ok(())
    } else {
        Err(LinalgError::OutOfBounds {
            op,
            start: r.start,
            end: r.end,
            len,
        })
    }
}

/// Checks the shapes of `C = alpha·op(A)·op(B) + beta·C` and returns `(m, k, n)`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when the inner dimensions differ or `C` is not
/// `m×n`.
pub fn gemm_shapes(
    op: &'static str,
    c: (usize, usize),
    a: (usize, usize),
    ta: Transpose,
    b: (usize, usize),
    tb: Transpose,
) -> Result<(usize, usize, usize), LinalgError> {
    let (m, k) = ta.apply_shape(a);
    let (k2, n) = tb.apply_shape(b);
    if k != k2 {
        return Err(LinalgError::ShapeMismatch {
            op,
            expected: format!(
                "op(B) with {k} rows to match op(A) of shape {}",
                shape_str((m, k))
            ),
            found: format!("op(B) of shape {}", shape_str((k2, n))),
        });
    }
    if c != (m, n) {
        return Err(LinalgError::ShapeMismatch {
            op,
            expected: format!("output of shape {}", shape_str((m, n))),
            found: format!("output of shape {}", shape_str(c)),
        });
    }
    Ok((m, k, n))
}

/// Checks the shapes of `y = alpha·op(A)·x + beta·y` and returns `(m, n)` of `op(A)`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when `x` or `y` has the wrong length.
pub fn gemv_shapes(
    op: &'static str,
    y: usize,
    a: (usize, usize),
    ta: Transpose,
    x: usize,
) -> Result<(usize, usize), LinalgError> {
    let (m, n) = ta.apply_shape(a);
    if x != n {
        return Err(LinalgError::ShapeMismatch {
            op,
            expected: format!(
                "a vector of length {n} to multiply op(A) of shape {}",
                shape_str((m, n))
            ),
            found: format!("length {x}"),
        });
    }
    if y != m {
        return Err(LinalgError::ShapeMismatch {
            op,
            expected: format!("an output vector of length {m}"),
            found: format!("length {y}"),
        });
    }
    Ok((m, n))
}

/// Checks that every entry of a matrix is finite.
///
/// # Errors
/// [`LinalgError::NonFinite`] naming `op` when some entry is NaN or infinite.
pub fn finite_matrix<T: Scalar, B: LinalgBackend<T>>(
    op: &'static str,
    a: &B::Matrix,
) -> Result<(), LinalgError> {
    if B::mat_fold(a, true, |ok, x| ok && x.finite()) {
        Ok(())
    } else {
        Err(LinalgError::NonFinite { op })
    }
}

/// Checks that every entry of a vector is finite.
///
/// # Errors
/// [`LinalgError::NonFinite`] naming `op` when some entry is NaN or infinite.
pub fn finite_vector<T: Scalar, B: LinalgBackend<T>>(
    op: &'static str,
    v: &B::Vector,
) -> Result<(), LinalgError> {
    if B::vec_fold(v, true, |ok, x| ok && x.finite()) {
        Ok(())
    } else {
        Err(LinalgError::NonFinite { op })
    }
}

/// Checks that a matrix is square with finite entries, returning its order.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] or [`LinalgError::NonFinite`] naming `op`.
pub fn square_finite<T: Scalar, B: LinalgBackend<T>>(
    op: &'static str,
    a: &B::Matrix,
) -> Result<usize, LinalgError> {
    let n = square(op, B::mat_shape(a))?;
    finite_matrix::<T, B>(op, a)?;
    Ok(n)
}
