//! What the ops share: recording helpers (`record.rs`: values, ids and `requires_grad` wired in
//! one place; `linear.rs`: linear maps recorded with their adjoints; `place.rs`: gathering
//! variables into one value and cutting one into parts, as such maps;
//! `products.rs`: products written into storage from the pool; `masks.rs`: triangular masks,
//! recorded for rules; `blocks.rs`: columns, leading entries and retyping, recorded for rules),
//! the
//! helpers of the spectral pullbacks (`spectral.rs`), and the handling of backend errors. A
//! backend error reaches the user under the lifted operation's name (`chol: ...`, not
//! `cholesky: ...`) through [`LinalgError::with_op`].

pub(crate) mod blocks;
pub(crate) mod linear;
pub(crate) mod masks;
pub(crate) mod place;
pub(crate) mod products;
pub(crate) mod record;
pub(crate) mod shapes;
pub(crate) mod spectral;

use crate::backend::LinalgError;

/// Unwraps a decomposition recomputed in a backward pass (it succeeded in the forward pass on
/// the same input, so a failure is a backend bug), panicking with the operation's name.
#[track_caller]
pub(crate) fn in_backward<T>(op: &'static str, result: Result<T, LinalgError>) -> T {
    result.unwrap_or_else(|e| panic!("{op}: backward pass: {e}"))
}
