//! Products written into storage from the [pool](crate::pool): the destination-passing form of
//! `matmul`, `matvec` and `outer` that the ops and the gradient accumulators use.
//!
//! The backend's `matmul` makes a zero-filled matrix and then overwrites it; here the product
//! (GEMM, GEMV or the rank-one GEMM with `β = 0`, which reads nothing of the destination) goes
//! straight into a buffer of the same shape that an earlier value gave back to the pool. In a
//! loop that differentiates the same computation again and again, a product's output and a
//! weight's gradient are then written once, into memory that is already there, as a
//! hand-written loop over preallocated buffers would do. When the pool holds nothing of that
//! shape, the storage is new (zero-filled once).

use backprop_backend::{LinalgBackend, LinalgError, Scalar, Transpose};

use crate::dense::{MatKind, VecKind};
use crate::pool;

/// Matrix storage of `shape` whose entries the caller overwrites without reading them.
fn scratch_matrix<S: Scalar, B: LinalgBackend<S>>(shape: (usize, usize)) -> B::Matrix {
    pool::take::<S, B, MatKind>(shape).unwrap_or_else(|| B::mat_zeros(shape.0, shape.1))
}

/// Vector storage of length `n` whose entries the caller overwrites without reading them.
fn scratch_vector<S: Scalar, B: LinalgBackend<S>>(n: usize) -> B::Vector {
    pool::take::<S, B, VecKind>((n, 1)).unwrap_or_else(|| B::vec_zeros(n))
}

/// `op(A)·op(B)`, written into storage from the pool.
///
/// # Errors
/// The backend's `gemm` error (op `"gemm"`; callers relabel it) when the inner dimensions
/// differ.
pub(crate) fn matmul<S: Scalar, B: LinalgBackend<S>>(
    a: &B::Matrix,
    ta: Transpose,
    b: &B::Matrix,
    tb: Transpose,
) -> Result<B::Matrix, LinalgError> {
    let rows = ta.apply_shape(B::mat_shape(a)).0;
    let cols = tb.apply_shape(B::mat_shape(b)).1;
    let mut c = scratch_matrix::<S, B>((rows, cols));
    B::gemm(&mut c, S::one(), a, ta, b, tb, S::zero())?;
    Ok(c)
}

/// `op(A)·x`, written into storage from the pool.
///
/// # Errors
/// The backend's `gemv` error (op `"gemv"`; callers relabel it) when `x` has the wrong length.
pub(crate) fn matvec<S: Scalar, B: LinalgBackend<S>>(
    a: &B::Matrix,
    ta: Transpose,
    x: &B::Vector,
) -> Result<B::Vector, LinalgError> {
    let mut y = scratch_vector::<S, B>(ta.apply_shape(B::mat_shape(a)).0);
    B::gemv(&mut y, S::one(), a, ta, x, S::zero())?;
    Ok(y)
}

/// `alpha·x·yᵀ`, written into storage from the pool.
pub(crate) fn outer<S: Scalar, B: LinalgBackend<S>>(
    alpha: S,
    x: &B::Vector,
    y: &B::Vector,
) -> B::Matrix {
    let shape = (B::vec_len(x), B::vec_len(y));
    let mut a = scratch_matrix::<S, B>(shape);
    crate::backend::sized(B::ger(&mut a, alpha, x, y, S::zero()));
    a
}
