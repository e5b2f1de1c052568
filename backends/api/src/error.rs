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
    /// A matrix logarithm was asked of a matrix with an eigenvalue on (or numerically
    /// indistinguishable from) the closed negative real axis `(−∞, 0]`, where the principal
    /// logarithm is not defined.
    #[error(
        "{op}: the matrix has an eigenvalue on (or too close to) the closed negative real axis, so it has no principal logarithm"
    )]
    NoPrincipalLogarithm {
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
            | Self::NoConvergence { op }
            | Self::NoPrincipalLogarithm { op } => op,
        }
    }

    /// The same error, naming `op` instead: for an operation that reports, under its own name,
    /// an error raised by a primitive it is built on (`matmul` on `gemm`, say). Every variant
    /// keeps all its other fields.
    ///
    /// ```
    /// use backprop_backend::LinalgError;
    ///
    /// let e = LinalgError::OutOfBounds { op: "mat_rows", start: 1, end: 4, len: 3 };
    /// let e = e.with_op("submatrix");
    /// assert_eq!(e, LinalgError::OutOfBounds { op: "submatrix", start: 1, end: 4, len: 3 });
    /// ```
    #[must_use]
    pub fn with_op(mut self, op: &'static str) -> Self {
        match &mut self {
            Self::ShapeMismatch { op: old, .. }
            | Self::OutOfBounds { op: old, .. }
            | Self::Singular { op: old }
            | Self::NotPositiveDefinite { op: old }
            | Self::NonFinite { op: old }
            | Self::NoConvergence { op: old }
            | Self::NoPrincipalLogarithm { op: old } => *old = op,
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::LinalgError;

    /// One error of each variant, every field other than `op` set to something recognisable.
    fn one_of_each(op: &'static str) -> [LinalgError; 7] {
        [
            LinalgError::ShapeMismatch {
                op,
                expected: "3×2".to_owned(),
                found: "2×3".to_owned(),
            },
            LinalgError::OutOfBounds {
                op,
                start: 1,
                end: 5,
                len: 4,
            },
            LinalgError::Singular { op },
            LinalgError::NotPositiveDefinite { op },
            LinalgError::NonFinite { op },
            LinalgError::NoConvergence { op },
            LinalgError::NoPrincipalLogarithm { op },
        ]
    }

    #[test]
    fn with_op_renames_every_variant_and_keeps_the_rest() {
        for (e, want) in one_of_each("gemm").into_iter().zip(one_of_each("matmul")) {
            let message = e.to_string();
            let renamed = e.with_op("matmul");
            assert_eq!(renamed, want);
            assert_eq!(renamed.op(), "matmul");
            assert_eq!(
                renamed.to_string(),
                message.replacen("gemm", "matmul", 1),
                "only the name changes in the message"
            );
        }
    }
}
