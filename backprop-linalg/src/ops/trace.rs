//! [`trace`]: the sum of the diagonal (not lifted by hmatrix-backprop).

use backprop_core::BVar;
use typenum::Unsigned;

use crate::backend::Backend;
use crate::dense::Dense;
use crate::ops::record::{add_scaled, record1};
use crate::{L, Sq};

/// The trace `tr A = Σᵢ Aᵢᵢ` of a square matrix.
///
/// Gradient: `Ā = t̄·I`.
pub fn trace<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, f64>
where
    N: Unsigned + 'static,
    B: Backend,
{
    let t = B::vec_sum(&B::mat_diag(a.value().data()));
    record1(a, t, |ctx, ia, _, dt| {
        add_scaled(ctx, ia, dt, &L::eye());
    })
}
