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
#[inline]
pub fn same_shape(
    op: &'static str,
    a: (usize, usize),
    b: (usize, usize),
) -> Result<(), LinalgError> {
    if a == b {
        Ok(())
    } else {
        Err(mismatch(op, shape_str(a), shape_str(b)))
    }
}

/// A [`LinalgError::ShapeMismatch`]. Out of line, and the checks build their messages only on
/// their error paths, so that a check inlines to a comparison (element-wise operations run many
/// of them on small vectors).
#[cold]
#[inline(never)]
fn mismatch(op: &'static str, expected: String, found: String) -> LinalgError {
    LinalgError::ShapeMismatch {
        op,
        expected,
        found,
    }
}

/// Checks that a length is the expected one (vector operands, slices).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when `found != expected`.
#[inline]
pub fn same_len(op: &'static str, expected: usize, found: usize) -> Result<(), LinalgError> {
    if expected == found {
        Ok(())
    } else {
        Err(len_mismatch(op, expected, found))
    }
}

/// The error of [`same_len`], out of line (see [`mismatch`]).
#[cold]
#[inline(never)]
fn len_mismatch(op: &'static str, expected: usize, found: usize) -> LinalgError {
    mismatch(op, format!("length {expected}"), format!("length {found}"))
}

/// Checks that a matrix is square.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when `rows != cols`.
#[inline]
pub fn square(op: &'static str, shape: (usize, usize)) -> Result<usize, LinalgError> {
    if shape.0 == shape.1 {
        Ok(shape.0)
    } else {
        Err(mismatch(op, "a square matrix".to_owned(), shape_str(shape)))
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
#[inline]
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
    if k != k2 || c != (m, n) {
        return Err(gemm_mismatch(op, c, (m, k), (k2, n)));
    }
    Ok((m, k, n))
}

/// The error of [`gemm_shapes`] for `C` of shape `c`, `op(A)` of shape `a`, `op(B)` of shape
/// `b`, out of line (see [`mismatch`]).
#[cold]
#[inline(never)]
fn gemm_mismatch(
    op: &'static str,
    c: (usize, usize),
    a: (usize, usize),
    b: (usize, usize),
) -> LinalgError {
    if a.1 != b.0 {
        mismatch(
            op,
            format!(
                "op(B) with {} rows to match op(A) of shape {}",
                a.1,
                shape_str(a)
            ),
            format!("op(B) of shape {}", shape_str(b)),
        )
    } else {
        mismatch(
            op,
            format!("output of shape {}", shape_str((a.0, b.1))),
            format!("output of shape {}", shape_str(c)),
        )
    }
}

/// Checks the shapes of `y = alpha·op(A)·x + beta·y` and returns `(m, n)` of `op(A)`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when `x` or `y` has the wrong length.
#[inline]
pub fn gemv_shapes(
    op: &'static str,
    y: usize,
    a: (usize, usize),
    ta: Transpose,
    x: usize,
) -> Result<(usize, usize), LinalgError> {
    let (m, n) = ta.apply_shape(a);
    if x != n || y != m {
        return Err(gemv_mismatch(op, y, (m, n), x));
    }
    Ok((m, n))
}

/// The error of [`gemv_shapes`] for `y` of length `y`, `op(A)` of shape `a`, `x` of length
/// `x`, out of line (see [`mismatch`]).
#[cold]
#[inline(never)]
fn gemv_mismatch(op: &'static str, y: usize, a: (usize, usize), x: usize) -> LinalgError {
    if x != a.1 {
        mismatch(
            op,
            format!(
                "a vector of length {} to multiply op(A) of shape {}",
                a.1,
                shape_str(a)
            ),
            format!("length {x}"),
        )
    } else {
        mismatch(
            op,
            format!("an output vector of length {}", a.0),
            format!("length {y}"),
        )
    }
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
