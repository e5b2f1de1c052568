//! [`LinalgError`]: every way a linear-algebra primitive can refuse its input.

/// Why a linear-algebra primitive refused its input.
///
/// Every variant names the operation (`op`, e.g. `"inverse"` or `"gemm"`) so the message read by a
/// user says where the problem is. Primitives check their input *before* computing: a bad input
/// gives one of these errors, never a silently wrong or NaN result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinalgError {
    /// Operand shapes do not fit the operation (mismatched products, concatenations,
    /// element-wise operands, a slice of the wrong length, a non-square matrix where a square one
    /// is needed).
    #[error("{op}: shape mismatch: expected {expected}, found {found}")]
    ShapeMismatch {
        /// The operation that was called.
        op: &'static str,
        /// What the operation needed, e.g. `"a square matrix"` or `"3×2"`.
        expected: String,
        /// What it was given, e.g. `"2×3"`.
        found: String,
    },
    /// An index range reaches past the end of a vector or matrix dimension.
    #[error("{op}: range {start}..{end} is out of bounds for a dimension of length {len}")]
    OutOfBounds {
        /// The operation that was called.
        op: &'static str,
        /// First index of the requested range.
        start: usize,
        /// One past the last index of the requested range.
        end: usize,
        /// Length of the dimension that was indexed.
        len: usize,
    },
    /// The matrix is singular or numerically singular (see [`crate::conventions::is_singular`]
    /// for the rule), so it has no inverse and the linear system has no unique solution.
    #[error("{op}: the matrix is singular (or numerically singular), so it cannot be inverted")]
    Singular {
        /// The operation that was called.
        op: &'static str,
    },
    /// Cholesky was given a matrix that is not symmetric positive definite.
    #[error("{op}: the matrix is not positive definite, so it has no Cholesky factor")]
    NotPositiveDefinite {
        /// The operation that was called.
        op: &'static str,
    },
    /// The input holds a NaN or an infinity, so no decomposition of it is meaningful.
    #[error("{op}: the input contains NaN or infinite values")]
    NonFinite {
        /// The operation that was called.
        op: &'static str,
    },
    /// An iterative algorithm (SVD, symmetric eigensolver) stopped before converging.
    #[error("{op}: the iterative algorithm did not converge")]
    NoConvergence {
        /// The operation that was called.
        op: &'static str,
    },
}

impl LinalgError {
    /// The name of the operation that failed.
    #[must_use]
    pub fn op(&self) -> &'static str {
        match self {
            Self::ShapeMismatch { op, .. }
            | Self::OutOfBounds { op, .. }
            | Self::Singular { op }
            | Self::NotPositiveDefinite { op }
            | Self::NonFinite { op }
            | Self::NoConvergence { op } => op,
        }
    }
}
