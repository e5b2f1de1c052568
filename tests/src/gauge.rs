//! Gauge-invariant functions of decomposition factors: singular vectors and eigenvectors are
//! unique only up to the sign of each column (and up to a rotation among columns of one
//! singular value, such as the extra columns of a full SVD's `U`; up to a complex phase for the
//! eigenvectors of a general matrix), so the suites check them through functions that do not
//! see that freedom.

use crate::gradcheck::real;
use backprop_linalg::{BVar, C, ComplexOf, L, M, R, Sq, app_c, dot_c, mul, sq_magnitude, tr};
use backprop_linalg::{Backend, ComplexBackend, Dim};
use num_complex::Complex;

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

/// A complex number of `B`'s precision.
fn cx<B: ComplexBackend>(re: f64, im: f64) -> ComplexOf<B> {
    Complex::new(real::<B>(re), real::<B>(im))
}

/// Column `j` of a complex square matrix.
pub fn column<'t, N: Dim, B: ComplexBackend>(
    v: BVar<'t, M<N, N, B>>,
    j: usize,
) -> BVar<'t, C<N, B>> {
    let n = v.value().shape().0;
    let e = C::<N, B>::from_fn_len(n, |i| cx::<B>(f64::from(u8::from(i == j)), 0.0));
    app_c(v, v.tape().constant(e))
}

/// Functions of the columns `vⱼ` of `V` invariant under `vⱼ → e^{iφⱼ}·vⱼ` (the freedom of the
/// eigenvectors of a general matrix): `Σⱼ vⱼᴴ·Qⱼ·vⱼ` for fixed complex `Qⱼ`, which sees the
/// cross terms `conj(vⱼₖ)·vⱼₗ`, and the entry-wise `Σⱼ (j + 1)·|vⱼ|²`. `V` must be non-empty.
pub fn phase_invariants<'t, N: Dim, B: ComplexBackend>(
    v: BVar<'t, M<N, N, B>>,
) -> (BVar<'t, ComplexOf<B>>, BVar<'t, R<N, B>>) {
    let n = v.value().shape().0;
    let mut forms = None;
    let mut moduli = None;
    for j in 0..n {
        let q = M::<N, N, B>::from_fn_shape(n, n, |r, c| {
            cx::<B>(
                (r + 2 * c + j) as f64 / 3.0 - 1.0,
                (r as f64 - c as f64) * 0.5 + j as f64,
            )
        });
        let vj = column(v, j);
        let form = dot_c(app_c(v.tape().constant(q), vj), vj);
        forms = Some(forms.map_or(form, |f| f + form));
        let weighted = sq_magnitude(vj) * R::<N, B>::konst_len(n, real::<B>(j as f64 + 1.0));
        moduli = Some(moduli.map_or(weighted, |m| m + weighted));
    }
    (
        forms.expect("a non-empty matrix"),
        moduli.expect("a non-empty matrix"),
    )
}
