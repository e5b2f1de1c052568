//! Matrix functions of symmetric matrices, through the eigendecomposition: [`sym_fn`] for any
//! scalar function given with its derivative, and the named forms [`sym_exp`], [`sym_log`],
//! [`sym_sqrt`] and [`sym_pow`]; each with a `try_` form.
//!
//! For `A = V·diag(λ)·Vᵀ`, `f(A) = V·diag(f(λ))·Vᵀ`. The gradient is the Daleckii–Krein
//! formula (Higham 2008, *Functions of Matrices*, Theorem 3.11; Magnus & Neudecker 2019, §8.8):
//!
//! `Ā = V·(G ∘ (Vᵀ·Ȳ·V))·Vᵀ`, with `Gᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ)` for `λᵢ ≠ λⱼ` and
//! `Gᵢⱼ = f'(λᵢ)` where they coincide.
//!
//! # Repeated eigenvalues
//! The eigenvectors of a repeated eigenvalue are any orthonormal basis of its eigenspace, and
//! differentiating them is impossible (the eigenvector route, [`eigensystem`](crate::eigensystem)
//! then `V·f(Λ)·Vᵀ`, must refuse such inputs). `f(A)` does not depend on that choice, and the
//! divided differences `G` turn into derivatives where eigenvalues meet, so these gradients are
//! exact and finite at repeated eigenvalues: at the identity, in block-repeated spectra,
//! anywhere. This is what covariance-manifold code needs (log-Euclidean metrics, matrix square
//! roots of SPD matrices), where exactly repeated eigenvalues are common.
//!
//! A divided difference of nearly equal eigenvalues loses accuracy (its rounding error is about
//! `ε·|f|/|λᵢ − λⱼ|`). When `|λᵢ − λⱼ| ≤ ε^{1/3}·max(1, |λᵢ|, |λⱼ|)` it is replaced by
//! `(f'(λᵢ) + f'(λⱼ))/2`, whose error is `|λᵢ − λⱼ|²·|f'''|/12`; both are then about `ε^{2/3}`
//! relative (4e-11 in `f64`, 2.5e-5 in `f32`).

use backprop_core::BVar;
use num_traits::Float;

use crate::Sym;
use crate::backend::{Backend, LinalgError, RealMatrix, one, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::support::record::record1;
use crate::ops::support::spectral::{add_sym_sandwich, scale_columns};
use crate::types::sym::symmetrize;

use backprop_backend::Transpose::{No, Yes};

/// Which eigenvalues a function accepts.
#[derive(Clone, Copy)]
enum Domain {
    /// Every real number.
    All,
    /// Positive numbers: the input must be positive definite.
    Positive,
}

/// `f(A) = V·diag(f(λ))·Vᵀ` for a symmetric `A = V·diag(λ)·Vᵀ`, with `df` the derivative of
/// `f` (both on plain scalars).
///
/// Gradient (Daleckii–Krein): `Ā = V·(G ∘ (Vᵀ·Ȳ·V))·Vᵀ`, `Gᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ)`,
/// `f'(λᵢ)` at equal eigenvalues: exact and finite at repeated eigenvalues (see the
/// [module documentation](self)).
///
/// ```
/// use backprop_linalg::{Sym, grad_bp, sum_elements, sym_fn, un_sym};
/// use backprop_linalg::typenum::U2;
///
/// // The identity has one eigenvalue twice; the gradient of Σ exp(A)ᵢⱼ there is still exact.
/// let a = Sym::<U2>::from_fn(|i, j| if i == j { 1.0 } else { 0.0 });
/// let g = grad_bp(|a| sum_elements(un_sym(sym_fn(a, f64::exp, f64::exp))), &a);
/// let e = std::f64::consts::E;
/// assert!((g.to_sq().get(0, 0) - e).abs() < 1e-12 && (g.to_sq().get(0, 1) - e).abs() < 1e-12);
/// ```
///
/// # Panics
/// As [`try_sym_fn`].
#[track_caller]
pub fn sym_fn<'t, N, B>(
    a: BVar<'t, Sym<N, B>>,
    f: impl Fn(B::Real) -> B::Real,
    df: impl Fn(B::Real) -> B::Real,
) -> BVar<'t, Sym<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_sym_fn(a, f, df))
}

/// [`sym_fn`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries of `A`, or for a non-finite `f(λᵢ)`
/// or `f'(λᵢ)`; [`LinalgError::NoConvergence`] if the eigensolver does not converge; all
/// naming `sym_fn`.
pub fn try_sym_fn<'t, N, B>(
    a: BVar<'t, Sym<N, B>>,
    f: impl Fn(B::Real) -> B::Real,
    df: impl Fn(B::Real) -> B::Real,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    spectral_function("sym_fn", Domain::All, a, f, df)
}

/// The matrix exponential of a symmetric matrix, `V·diag(e^λ)·Vᵀ` (symmetric positive
/// definite). Agrees with [`expm`](crate::expm) on symmetric input.
///
/// Gradient: [`sym_fn`]'s with `f = f' = exp`; exact at repeated eigenvalues.
///
/// # Panics
/// As [`try_sym_exp`].
#[track_caller]
pub fn sym_exp<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_exp(a))
}

/// [`sym_exp`], returning an error instead of panicking.
///
/// # Errors
/// As [`try_sym_fn`], naming `sym_exp`.
pub fn try_sym_exp<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    spectral_function("sym_exp", Domain::All, a, Float::exp, Float::exp)
}

/// The principal logarithm of a symmetric positive definite matrix, `V·diag(ln λ)·Vᵀ`
/// (symmetric; the log-Euclidean map of covariance matrices).
///
/// Gradient: [`sym_fn`]'s with `f = ln`, `f' = 1/λ`; exact at repeated eigenvalues.
///
/// # Panics
/// As [`try_sym_log`].
#[track_caller]
pub fn sym_log<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_log(a))
}

/// [`sym_log`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if an eigenvalue is not positive (the real logarithm
/// does not exist), otherwise as [`try_sym_fn`]; all naming `sym_log`.
pub fn try_sym_log<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    spectral_function("sym_log", Domain::Positive, a, Float::ln, Float::recip)
}

/// The principal square root of a symmetric positive definite matrix, `V·diag(√λ)·Vᵀ` (the
/// unique symmetric positive definite `X` with `X² = A`). Agrees with [`sqrtm`](crate::sqrtm)
/// on such input.
///
/// Gradient: [`sym_fn`]'s with `f = √`, `f' = 1/(2√λ)`; exact at repeated eigenvalues.
///
/// # Panics
/// As [`try_sym_sqrt`].
#[track_caller]
pub fn sym_sqrt<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_sqrt(a))
}

/// [`sym_sqrt`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if an eigenvalue is not positive (at a zero eigenvalue
/// the root exists but has no derivative), otherwise as [`try_sym_fn`]; all naming `sym_sqrt`.
pub fn try_sym_sqrt<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    let half = |x: B::Real| (x + x).recip();
    spectral_function("sym_sqrt", Domain::Positive, a, Float::sqrt, move |x| {
        half(Float::sqrt(x))
    })
}

/// The real power `Aᵖ = V·diag(λᵖ)·Vᵀ` of a symmetric positive definite matrix (`p = −1` the
/// inverse, `p = ½` the square root, `p = −½` the inverse square root of whitening).
///
/// Gradient: [`sym_fn`]'s with `f = λᵖ`, `f' = p·λᵖ⁻¹`; exact at repeated eigenvalues. The
/// gradient with respect to `p` is not taken (`p` is a constant).
///
/// # Panics
/// As [`try_sym_pow`].
#[track_caller]
pub fn sym_pow<'t, N: Dim, B: Backend>(a: BVar<'t, Sym<N, B>>, p: B::Real) -> BVar<'t, Sym<N, B>> {
    or_fail(try_sym_pow(a, p))
}

/// [`sym_pow`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if an eigenvalue is not positive, otherwise as
/// [`try_sym_fn`]; all naming `sym_pow`.
pub fn try_sym_pow<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sym<N, B>>,
    p: B::Real,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError> {
    let one = one::<B::Real>();
    spectral_function(
        "sym_pow",
        Domain::Positive,
        a,
        move |x| Float::powf(x, p),
        move |x| p * Float::powf(x, p - one),
    )
}

/// `f(A)` through the eigendecomposition, recorded with the Daleckii–Krein pullback.
fn spectral_function<'t, N, B>(
    op: &'static str,
    domain: Domain,
    a: BVar<'t, Sym<N, B>>,
    f: impl Fn(B::Real) -> B::Real,
    df: impl Fn(B::Real) -> B::Real,
) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let e = B::sym_eigen(a.value().data()).map_err(|e| e.with_op(op))?;
    let n = B::vec_len(&e.values);
    let lambda: Vec<B::Real> = (0..n).map(|i| B::vec_get(&e.values, i)).collect();
    if matches!(domain, Domain::Positive) && lambda.iter().any(|&l| l <= zero::<B::Real>()) {
        return Err(LinalgError::NotPositiveDefinite { op });
    }
    let fl: Vec<B::Real> = lambda.iter().map(|&l| f(l)).collect();
    let dl: Vec<B::Real> = lambda.iter().map(|&l| df(l)).collect();
    if fl.iter().chain(&dl).any(|x| !x.is_finite()) {
        return Err(LinalgError::NonFinite { op });
    }
    let v = e.vectors;
    let y = sized(B::matmul(&scale_columns::<B>(&v, |j| fl[j]), No, &v, Yes));
    let g = divided_differences::<B>(&lambda, &fl, &dl);
    Ok(record1(
        a,
        Sym::wrap(symmetrize::<B>(&y)),
        move |ctx, ia, _, dy| {
            let inner = sized(B::matmul(
                &sized(B::matmul(&v, Yes, dy.data(), No)),
                No,
                &v,
                No,
            ));
            let weighted = sized(B::mat_zip_map(&inner, &g, |x, g| x * g));
            add_sym_sandwich(ctx, ia, &v, &weighted);
        },
    ))
}

/// `Gᵢⱼ = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ)`, or `(f'(λᵢ) + f'(λⱼ))/2` when the eigenvalues are within
/// `ε^{1/3}·max(1, |λᵢ|, |λⱼ|)` of each other (see the module documentation).
fn divided_differences<B: Backend>(
    lambda: &[B::Real],
    fl: &[B::Real],
    dl: &[B::Real],
) -> RealMatrix<B> {
    let n = lambda.len();
    let one = one::<B::Real>();
    let close = B::Real::epsilon().cbrt();
    B::mat_from_fn(n, n, |i, j| {
        let gap = lambda[i] - lambda[j];
        let scale = one.max(lambda[i].abs()).max(lambda[j].abs());
        if gap.abs() <= close * scale {
            (dl[i] + dl[j]) / (one + one)
        } else {
            (fl[i] - fl[j]) / gap
        }
    })
}
