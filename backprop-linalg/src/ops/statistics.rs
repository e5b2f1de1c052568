//! Statistics: [`mean`], [`mean_l`], [`cov`], [`mean_cov`].
//!
//! A matrix `X` of shape `M×N` holds `M` observations (rows) of `N` variables (columns), as in
//! hmatrix's `meanCov`.

use backprop_backend::Transpose;
use backprop_core::{BVar, Backward, VarId};
use typenum::Unsigned;

use crate::backend::{Backend, RealMatrix, ones, sized};
use crate::dense::{Construct, Dense, filled};
use crate::ops::support::record::{add_outer, add_product, record1};
use crate::types::sym::symmetrize;
use crate::{L, R, Sym};

use Transpose::{No, Yes};

/// The mean `Σxᵢ/N` of the entries of a vector (hmatrix's `mean`).
///
/// Gradient: `x̄ᵢ = ȳ/N`. (hmatrix-backprop divides by the number of non-zero entries, which
/// is wrong whenever `x` has a zero entry.)
pub fn mean<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, f64>
where
    N: Unsigned + 'static,
    B: Backend,
{
    let n = N::USIZE as f64;
    let m = B::vec_sum(x.value().data()) / n;
    record1(x, m, move |ctx, ix, _, dy| {
        let x = ctx.value(ix);
        ctx.add(ix, filled::<B, R<N, B>>(x, dy / n));
    })
}

/// The column means `μ = Xᵀ·1/M` of an `M×N` matrix: the mean observation (hmatrix-backprop's
/// `meanL`).
///
/// Gradient: `X̄ = 1·μ̄ᵀ/M`.
pub fn mean_l<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, R<N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let mu = R::wrap(column_means::<B>(x.value().data()));
    record1(x, mu, |ctx, ix, _, dmu| {
        add_mean_pullback(ctx, ix, &dmu);
    })
}

/// The column means of `x`.
fn column_means<B: Backend>(x: &RealMatrix<B>) -> crate::backend::RealVector<B> {
    let m = B::mat_shape(x).0;
    let ones = B::vec_from_fn(m, |_| 1.0 / m as f64);
    sized(B::matvec(x, Yes, &ones))
}

/// Adds `1·μ̄ᵀ/M` to the gradient of `ix`.
fn add_mean_pullback<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend>(
    ctx: &mut Backward<'_>,
    ix: VarId<L<M, N, B>>,
    dmu: &R<N, B>,
) {
    add_outer(
        ctx,
        ix,
        1.0 / M::USIZE as f64,
        &ones::<B>(M::USIZE),
        dmu.data(),
    );
}

/// `X − 1·μᵀ`, the centred observations.
fn centred<B: Backend>(x: &RealMatrix<B>) -> RealMatrix<B> {
    let mu = column_means::<B>(x);
    let (m, n) = B::mat_shape(x);
    B::mat_from_fn(m, n, |i, j| B::mat_get(x, i, j) - B::vec_get(&mu, j))
}

/// `XcᵀXc/(M − 1)`, symmetric by construction.
///
/// # Panics
/// If `M < 2`.
#[track_caller]
fn covariance<B: Backend>(op: &str, xc: &RealMatrix<B>) -> RealMatrix<B> {
    let m = B::mat_shape(xc).0;
    assert!(
        m >= 2,
        "{op}: the sample covariance needs at least 2 observations (rows), got {m}"
    );
    let c = sized(B::matmul(xc, Yes, xc, No));
    symmetrize::<B>(&B::mat_scale(&c, 1.0 / (m - 1) as f64))
}

/// Adds `Xc·(Σ̄ + Σ̄ᵀ)/(M − 1)` to the gradient of `ix`.
fn add_cov_pullback<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend>(
    ctx: &mut Backward<'_>,
    ix: VarId<L<M, N, B>>,
    dsigma: &Sym<N, B>,
) {
    let d = dsigma.data();
    let n = N::USIZE;
    let scale = 1.0 / (M::USIZE - 1) as f64;
    let d2 = B::mat_from_fn(n, n, |i, j| {
        scale * (B::mat_get(d, i, j) + B::mat_get(d, j, i))
    });
    let xc = centred::<B>(ctx.value(ix).data());
    add_product(ctx, ix, &xc, No, &d2, No);
}

/// The sample covariance `Σ = XcᵀXc/(M − 1)` of the `M` rows of `X`, with `Xc = X − 1·μᵀ`
/// (hmatrix-backprop's `cov`; the divisor `M − 1` is hmatrix's).
///
/// Gradient: `X̄ = Xc·(Σ̄ + Σ̄ᵀ)/(M − 1)` (the centring projection is absorbed because the
/// columns of `Xc` sum to zero). Correct for any cotangent, symmetric or not; hmatrix-backprop
/// uses `(2/N)·Xc·Σ̄ᵀ`, wrong unless `N = M − 1` and `Σ̄` is symmetric.
///
/// # Panics
/// If `M < 2` (the divisor `M − 1` would be zero).
#[track_caller]
pub fn cov<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, Sym<N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let sigma = Sym::wrap(covariance::<B>("cov", &centred::<B>(x.value().data())));
    record1(x, sigma, |ctx, ix, _, dsigma| {
        add_cov_pullback(ctx, ix, &dsigma);
    })
}

/// The column means and the sample covariance together (hmatrix's `meanCov`):
/// `(μ, Σ) = (mean_l(X), cov(X))`. Split the result with `.split()`.
///
/// Gradient: `X̄ = 1·μ̄ᵀ/M + Xc·(Σ̄ + Σ̄ᵀ)/(M − 1)`.
///
/// # Panics
/// If `M < 2`.
#[track_caller]
pub fn mean_cov<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, (R<N, B>, Sym<N, B>)>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let xv = x.value().data();
    let mu = R::wrap(column_means::<B>(xv));
    let sigma = Sym::wrap(covariance::<B>("mean_cov", &centred::<B>(xv)));
    record1(x, (mu, sigma), |ctx, ix, _, (dmu, dsigma)| {
        add_mean_pullback(ctx, ix, &dmu);
        add_cov_pullback(ctx, ix, &dsigma);
    })
}
