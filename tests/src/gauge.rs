//! Gauge-invariant functions of decomposition factors: singular vectors and eigenvectors are
//! unique only up to the sign of each column (and up to a rotation among columns of one
//! singular value, such as the extra columns of a full SVD's `U`), so the suites check them
//! through functions that do not see that freedom.

use crate::gradcheck::real;
use backprop_linalg::{BVar, L, Sq, mul, tr};
use backprop_linalg::{Backend, Dim};

/// Weights for [`sandwich`]: distinct on the first `k` columns, one common weight on the rest.
fn weight(j: usize, k: usize) -> f64 {
    if j < k { 1.3 - 0.9 * j as f64 } else { 0.45 }
}

/// `Q·diag(w)·Qᵀ` with distinct weights on the first `k` columns of `Q` and one common weight on
/// the rest: invariant under sign flips of columns and rotations among the extra columns.
pub fn sandwich<'t, N: Dim, B: Backend>(q: BVar<'t, Sq<N, B>>, k: usize) -> BVar<'t, Sq<N, B>> {
    let n = q.value().shape().0;
    let d = q.tape().constant(Sq::<N, B>::from_fn_shape(n, n, |i, j| {
        real::<B>(if i == j { weight(i, k) } else { 0.0 })
    }));
    mul(mul(q, d), tr(q))
}

/// `Q∘Q` on the columns `j` with `keep(j)`, zero elsewhere (sign-invariant; smooth, unlike `|Q|`,
/// which has a kink where an entry of a random orthogonal matrix crosses zero).
pub fn squares<'t, M: Dim, N: Dim, B: Backend>(
    q: BVar<'t, L<M, N, B>>,
    keep: impl Fn(usize) -> bool,
) -> BVar<'t, L<M, N, B>> {
    let (m, n) = q.value().shape();
    let mask = L::<M, N, B>::from_fn_shape(m, n, |_, j| real::<B>(if keep(j) { 1.0 } else { 0.0 }));
    q * q * mask
}

/// `U₁·V₁ᵀ = U·E·Vᵀ` with `E` the `M×N` rectangular identity (gauge-invariant).
pub fn u_vt<'t, M: Dim, N: Dim, B: Backend>(
    u: BVar<'t, Sq<M, B>>,
    v: BVar<'t, Sq<N, B>>,
) -> BVar<'t, L<M, N, B>> {
    let (m, n) = (u.value().shape().0, v.value().shape().0);
    let e = u.tape().constant(L::<M, N, B>::from_fn_shape(m, n, |i, j| {
        real::<B>(if i == j { 1.0 } else { 0.0 })
    }));
    mul(mul(u, e), tr(v))
}

/// `Q·diag(w)·Qᵀ` for a thin factor (`M×K`, orthonormal columns) with distinct weights `w`:
/// invariant under the sign of each column.
pub fn thin_sandwich<'t, M: Dim, K: Dim, B: Backend>(
    q: BVar<'t, L<M, K, B>>,
) -> BVar<'t, Sq<M, B>> {
    let k = q.value().shape().1;
    let d = q.tape().constant(Sq::<K, B>::from_fn_shape(k, k, |i, j| {
        real::<B>(if i == j { 1.3 - 0.7 * i as f64 } else { 0.0 })
    }));
    mul(mul(q, d), tr(q))
}

/// `Q∘Q` for a thin factor, sign-invariant and smooth.
pub fn thin_squares<'t, M: Dim, K: Dim, B: Backend>(
    q: BVar<'t, L<M, K, B>>,
) -> BVar<'t, L<M, K, B>> {
    q * q
}
