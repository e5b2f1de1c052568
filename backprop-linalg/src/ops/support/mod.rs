//! What the ops share: recording helpers (`record.rs`: values, ids and `requires_grad` wired in
//! one place; `place.rs`: gathering variables into one value and cutting one into parts), the
//! helpers of the spectral pullbacks (`spectral.rs`), and the handling of backend errors.

pub(crate) mod place;
pub(crate) mod record;
pub(crate) mod spectral;

use crate::backend::LinalgError;

/// The error of a backend primitive, relabelled with the name of the lifted operation that
/// called it (so a user reads `chol: ...`, not `cholesky: ...`).
pub(crate) fn relabel(e: LinalgError, op: &'static str) -> LinalgError {
    match e {
        LinalgError::Singular { .. } => LinalgError::Singular { op },
        LinalgError::NotPositiveDefinite { .. } => LinalgError::NotPositiveDefinite { op },
        LinalgError::NonFinite { .. } => LinalgError::NonFinite { op },
        LinalgError::NoConvergence { .. } => LinalgError::NoConvergence { op },
        other => other,
    }
}

/// Unwraps a decomposition recomputed in a backward pass (it succeeded in the forward pass on
/// the same input, so a failure is a backend bug), panicking with the operation's name.
#[track_caller]
pub(crate) fn in_backward<T>(op: &'static str, result: Result<T, LinalgError>) -> T {
    result.unwrap_or_else(|e| panic!("{op}: backward pass: {e}"))
}
