//! Helpers of the spectral pullbacks (SVD, symmetric eigendecomposition): the matrix `F` of
//! inverse value gaps, and the check that values are separated before it is formed.

use backprop_backend::Transpose::{No, Yes};
use backprop_core::{BVar, Pull, Val, VarId};

use crate::backend::{Backend, Real, RealMatrix, lit, zero};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::structure::{symmetric_part, transpose};
use crate::ops::support::record::{product, pull_matvec, rule2};
use crate::{L, R, Sq, Sym};

/// `A·diag(d)`: column `j` of `a` scaled by `d(j)`.
pub(crate) fn scale_columns<B: Backend>(
    a: &RealMatrix<B>,
    d: impl Fn(usize) -> B::Real,
) -> RealMatrix<B> {
    let (r, c) = B::mat_shape(a);
    B::mat_from_fn(r, c, |i, j| B::mat_get(a, i, j) * d(j))
}

/// Whether any entry is non-zero (a cotangent that actually reaches the vectors).
pub(crate) fn any_nonzero<B: Backend>(a: &RealMatrix<B>) -> bool {
    B::mat_fold(a, false, |acc, x| acc || x != zero())
}

/// Panics if two of the (descending) `values` coincide to within rounding: the vectors'
/// derivative is undefined there.
#[track_caller]
pub(crate) fn assert_separated<S: Real>(op: &'static str, what: &str, values: &[S]) {
    let k = values.len();
    let scale = values.iter().fold(zero::<S>(), |m, &v| m.max(v.abs()));
    let tol = S::from_f64_real(4.0) * S::from_usize(k) * S::epsilon() * scale;
    for i in 1..k {
        if (values[i - 1] - values[i]).abs() <= tol {
            panic!(
                "{op}: the gradient through the {what} vectors is undefined at repeated {what} \
                 values ({} and {} at positions {} and {}); differentiate only the values, or \
                 perturb the input",
                values[i - 1],
                values[i],
                i - 1,
                i
            );
        }
    }
}

/// `Fᵢⱼ·Xᵢⱼ` with `Fᵢⱼ = 1/(dⱼ − dᵢ)` off the diagonal and `0` on it.
pub(crate) fn f_hadamard<B: Backend>(x: &RealMatrix<B>, d: &[B::Real]) -> RealMatrix<B> {
    let (r, c) = B::mat_shape(x);
    B::mat_from_fn(r, c, |i, j| {
        if i == j {
            zero()
        } else {
            B::mat_get(x, i, j) / (d[j] - d[i])
        }
    })
}

/// Whether a cotangent reaches a decomposition's vectors: a variable (perhaps zero in value, but
/// not in its derivative: `jvp` seeds with zeros), or a plain value with a non-zero entry.
pub(crate) fn reached<M: Dim, N: Dim, B: Backend>(d: &Val<'_, L<M, N, B>>) -> bool {
    d.is_var() || any_nonzero::<B>(d.get().data())
}

/// `F∘X` with `Fᵢⱼ = 1/(dⱼ − dᵢ)` off the diagonal and `0` on it, as a quantity of a rule
/// ([`f_hadamard`] on plain values, recorded on variables).
pub(crate) fn gaps<'v, K: Dim, B: Backend>(
    x: Val<'v, Sq<K, B>>,
    d: &Val<'v, R<K, B>>,
) -> Val<'v, Sq<K, B>> {
    x.zip(
        d.clone(),
        |x, d| L::wrap(f_hadamard::<B>(x.data(), &d.to_vec())),
        gaps_var,
    )
}

/// `G = F∘X`, recorded. Gradient: `X̄ = F∘Ḡ`, and, since `∂Gᵢⱼ/∂dᵢ = Fᵢⱼ²Xᵢⱼ = −∂Gᵢⱼ/∂dⱼ`,
/// `d̄ = (H − Hᵀ)·1` with `H = F∘F∘X∘Ḡ`.
fn gaps_var<'t, K: Dim, B: Backend>(
    x: BVar<'t, Sq<K, B>>,
    d: BVar<'t, R<K, B>>,
) -> BVar<'t, Sq<K, B>> {
    let value = L::wrap(f_hadamard::<B>(x.value().data(), &d.value().to_vec()));
    rule2(x, d, value, |cx, ix, id, _, dg| {
        let d = cx.value(id);
        if cx.wants(id) {
            let h = gaps(gaps(cx.value(ix).times(dg.clone()), &d), &d);
            let ones: Val<'_, R<K, B>> = Val::Own(R::build(d.get().len(), |_| lit::<B>(1.0)));
            pull_matvec(cx, id, &(h.clone() - transpose(h)), No, &ones);
        }
        cx.add(ix, gaps(dg, &d));
    })
}

/// Adds `sym(V·X·Vᵀ)` to the gradient of the symmetric input `ia`.
pub(crate) fn pull_sym_sandwich<'v, N: Dim, B: Backend>(
    cx: &mut Pull<'_, 'v>,
    ia: VarId<Sym<N, B>>,
    v: &Val<'v, Sq<N, B>>,
    x: Val<'v, Sq<N, B>>,
) {
    let vx: Val<'v, Sq<N, B>> = product(v, No, &x, No);
    let g: Val<'v, Sq<N, B>> = product(&vx, No, v, Yes);
    cx.add(ia, symmetric_part(g));
}

/// `X·diag(d)` (column `j` of `X` times `dⱼ`), as a quantity of a rule.
pub(crate) fn scale_cols<'v, M: Dim, K: Dim, B: Backend>(
    x: Val<'v, L<M, K, B>>,
    d: &Val<'v, R<K, B>>,
) -> Val<'v, L<M, K, B>> {
    x.zip(
        d.clone(),
        |x, d| L::wrap(scale_columns::<B>(x.data(), |j| d.get(j))),
        scale_cols_var,
    )
}

/// `Y = X·diag(d)`, recorded. Gradient: `X̄ = Ȳ·diag(d)`, `d̄ = (Ȳ∘X)ᵀ·1` (column sums).
fn scale_cols_var<'t, M: Dim, K: Dim, B: Backend>(
    x: BVar<'t, L<M, K, B>>,
    d: BVar<'t, R<K, B>>,
) -> BVar<'t, L<M, K, B>> {
    let value = L::wrap(scale_columns::<B>(x.value().data(), |j| d.value().get(j)));
    rule2(x, d, value, |cx, ix, id, _, dy| {
        if cx.wants(id) {
            let x = cx.value(ix);
            let ones: Val<'_, R<M, B>> = Val::Own(R::build(x.get().shape().0, |_| lit::<B>(1.0)));
            pull_matvec(cx, id, &dy.times(x), Yes, &ones);
        }
        let d = cx.value(id);
        cx.add(ix, scale_cols(dy, &d));
    })
}
