//! Statistics: [`mean`], [`mean_l`], [`cov`], [`mean_cov`].
//!
//! A matrix `X` of shape `M×N` holds `M` observations (rows) of `N` variables (columns), as in
//! hmatrix's `meanCov`.

use crate::dim::Dim;
use backprop_backend::Transpose;
use backprop_core::{BVar, Pull, Val, VarId};

use num_traits::Float;

use crate::backend::{Backend, LinalgError, RealMatrix, count, lit, or_fail, sized};
use crate::dense::{Construct, Dense, filled};
use crate::ops::products::{outer, pull_scale};
use crate::ops::structure::sym_sum;
use crate::ops::support::record::{pull_outer, pull_product, rule1};
use crate::types::sym::symmetrize;
use crate::{L, R, Sym};

use Transpose::{No, Yes};

/// The mean `Σxᵢ/N` of the entries of a vector (hmatrix's `mean`).
///
/// Gradient: `x̄ᵢ = ȳ/N`. (hmatrix-backprop divides by the number of non-zero entries, which
/// is wrong whenever `x` has a zero entry.)
///
/// # Panics
/// As [`try_mean`].
#[track_caller]
pub fn mean<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_mean(x))
}

/// [`mean`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"mean"`) if `x` is empty: it has no mean.
pub fn try_mean<'t, N, B>(x: BVar<'t, R<N, B>>) -> Result<BVar<'t, B::Real>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let len = x.value().len();
    at_least("mean", 1, len, "entry", (len, 1))?;
    let n = count::<B>(len);
    let m = B::vec_sum(x.value().data()) / n;
    Ok(rule1(x, m, move |cx, ix, _, dy| {
        let x = cx.value(ix);
        let weights = Val::Own(filled::<B, R<N, B>>(x.get(), n.recip()));
        pull_scale(cx, ix, &dy, &weights);
    }))
}

/// `Ok` if there are at least `min` of `what` (`len` of them, in an operand of `shape`).
fn at_least(
    op: &'static str,
    min: usize,
    len: usize,
    what: &str,
    shape: (usize, usize),
) -> Result<(), LinalgError> {
    if len >= min {
        Ok(())
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: format!("at least {min} {what}"),
            found: backprop_backend::validate::shape_str(shape),
        })
    }
}

/// The column means `μ = Xᵀ·1/M` of an `M×N` matrix: the mean observation (hmatrix-backprop's
/// `meanL`).
///
/// Gradient: `X̄ = 1·μ̄ᵀ/M`.
///
/// # Panics
/// As [`try_mean_l`].
#[track_caller]
pub fn mean_l<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, R<N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_mean_l(x))
}

/// [`mean_l`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"mean_l"`) if `X` has no rows: there is no mean
/// observation.
pub fn try_mean_l<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let shape = x.value().shape();
    at_least("mean_l", 1, shape.0, "observation (row)", shape)?;
    let mu = R::wrap(column_means::<B>(x.value().data()));
    Ok(rule1(x, mu, |cx, ix, _, dmu| pull_mean(cx, ix, &dmu)))
}

/// The column means of `x`.
fn column_means<B: Backend>(x: &RealMatrix<B>) -> crate::backend::RealVector<B> {
    let m = B::mat_shape(x).0;
    let w = count::<B>(m).recip();
    let ones = B::vec_from_fn(m, |_| w);
    sized(B::matvec(x, Yes, &ones))
}

/// Adds `1·μ̄ᵀ/M` to the gradient of `ix`.
fn pull_mean<'v, M: Dim, N: Dim, B: Backend>(
    cx: &mut Pull<'_, 'v>,
    ix: VarId<L<M, N, B>>,
    dmu: &Val<'v, R<N, B>>,
) {
    let m = cx.value(ix).get().shape().0;
    let weights = Val::Own(R::<M, B>::wrap(B::vec_from_fn(m, |_| {
        count::<B>(m).recip()
    })));
    pull_outer(cx, ix, &weights, dmu);
}
/// `X − 1·μᵀ`, the centred observations.
fn centred<B: Backend>(x: &RealMatrix<B>) -> RealMatrix<B> {
    let mu = column_means::<B>(x);
    let (m, n) = B::mat_shape(x);
    B::mat_from_fn(m, n, |i, j| B::mat_get(x, i, j) - B::vec_get(&mu, j))
}

/// `XcᵀXc/(M − 1)`, symmetric by construction, of the centred `X`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` if `M < 2` (the divisor `M − 1` would be zero).
fn covariance<B: Backend>(
    op: &'static str,
    x: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    let shape = B::mat_shape(x);
    at_least(op, 2, shape.0, "observations (rows)", shape)?;
    let xc = centred::<B>(x);
    let c = sized(B::matmul(&xc, Yes, &xc, No));
    Ok(symmetrize::<B>(&B::mat_scale(
        &c,
        count::<B>(shape.0 - 1).recip(),
    )))
}

/// Adds `Xc·(Σ̄ + Σ̄ᵀ)/(M − 1)` to the gradient of `ix`.
fn pull_cov<'v, M: Dim, N: Dim, B: Backend>(
    cx: &mut Pull<'_, 'v>,
    ix: VarId<L<M, N, B>>,
    dsigma: Val<'v, Sym<N, B>>,
) {
    let x = cx.value(ix);
    let factor = count::<B>(x.get().shape().0 - 1).recip();
    let d2 = sym_sum(dsigma, factor);
    let xc = x.map(
        |x| L::wrap(centred::<B>(x.data())),
        |x| {
            let m = x.value().shape().0;
            let ones = x
                .tape()
                .constant(R::<M, B>::wrap(B::vec_from_fn(m, |_| lit::<B>(1.0))));
            x - outer(ones, mean_l(x))
        },
    );
    pull_product(cx, ix, &xc, No, &d2, No);
}
/// The sample covariance `Σ = XcᵀXc/(M − 1)` of the `M` rows of `X`, with `Xc = X − 1·μᵀ`
/// (hmatrix-backprop's `cov`; the divisor `M − 1` is hmatrix's).
///
/// Gradient: `X̄ = Xc·(Σ̄ + Σ̄ᵀ)/(M − 1)` (the centring projection is absorbed because the
/// columns of `Xc` sum to zero). Correct for any cotangent, symmetric or not; hmatrix-backprop
/// uses `(2/N)·Xc·Σ̄ᵀ`, wrong unless `N = M − 1` and `Σ̄` is symmetric.
///
/// # Panics
/// As [`try_cov`].
#[track_caller]
pub fn cov<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, Sym<N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_cov(x))
}

/// [`cov`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"cov"`) if `M < 2` (the divisor `M − 1` would be
/// zero).
pub fn try_cov<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let sigma = Sym::wrap(covariance::<B>("cov", x.value().data())?);
    Ok(rule1(x, sigma, |cx, ix, _, dsigma| {
        pull_cov(cx, ix, dsigma)
    }))
}

/// The column means and the sample covariance together (hmatrix's `meanCov`):
/// `(μ, Σ) = (mean_l(X), cov(X))`. Split the result with `.split()`.
///
/// Gradient: `X̄ = 1·μ̄ᵀ/M + Xc·(Σ̄ + Σ̄ᵀ)/(M − 1)`.
///
/// # Panics
/// As [`try_mean_cov`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn mean_cov<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, (R<N, B>, Sym<N, B>)>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_mean_cov(x))
}

/// [`mean_cov`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"mean_cov"`) if `M < 2`.
#[allow(clippy::type_complexity)]
pub fn try_mean_cov<'t, M, N, B>(
    x: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (R<N, B>, Sym<N, B>)>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let xv = x.value().data();
    let sigma = Sym::wrap(covariance::<B>("mean_cov", xv)?);
    let mu = R::wrap(column_means::<B>(xv));
    Ok(rule1(x, (mu, sigma), |cx, ix, _, dy| {
        let (dmu, dsigma) = dy.unzip();
        pull_mean(cx, ix, &dmu);
        pull_cov(cx, ix, dsigma);
    }))
}
