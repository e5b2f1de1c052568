//! Symmetric eigendecomposition: [`eigensystem`] (values and vectors) and [`eigenvalues`],
//! each with a `try_` form.
//!
//! Conventions (those of [`Factorize`](backprop_backend::Factorize), identical on every
//! backend): eigenvalues descending; in each eigenvector the entry of largest magnitude is
//! positive.
//!
//! # Gradients at degenerate inputs
//! Eigenvectors are defined only up to a rotation within a repeated eigenvalue, and their
//! derivative does not exist there. When a cotangent reaches the eigenvectors and two
//! eigenvalues coincide to within rounding (`|λᵢ − λⱼ| ≤ 4·k·ε·maxᵢ|λᵢ|`), the backward pass
//! **panics** with a message naming the operation and the repeated values: it never returns
//! NaN. Values-only gradients ([`eigenvalues`], or a cotangent on the values only) are always
//! finite.
//!
//! # Second order
//! Both rules are recorded ([`hvp`](crate::hvp), [`jvp`](crate::jvp)). The derivative of the
//! eigenvalues' gradient `V·diag(λ̄)·Vᵀ` goes through the eigenvectors, so the second order, even
//! of the eigenvalues alone, panics at repeated eigenvalues with the same message.

use crate::dim::Dim;
use backprop_backend::{SymEigen, Transpose};
use backprop_core::{BVar, Val};

use crate::backend::{Backend, LinalgError, RealMatrix, RealVector, or_fail};
use crate::dense::{Construct, Dense};
use crate::ops::shape::diag_of;
use crate::ops::support::record::{product, rule1, rule2};
use crate::ops::support::spectral::{assert_separated, gaps, pull_sym_sandwich, reached};
use crate::{L, R, Sq, Sym};

use Transpose::{No, Yes};

// ----- symmetric eigendecomposition -----

/// The eigendecomposition `A = V·diag(λ)·Vᵀ` of a symmetric matrix (hmatrix's `eigensystem`):
/// `(λ, V)` with the eigenvalues descending and the orthonormal eigenvectors as the columns of
/// `V` (largest-magnitude entry of each positive). Split the result with `.split()`.
///
/// Gradient (Giles 2008, "An extended collection of matrix derivative results", §3.1):
/// `Ā = sym(V·(diag(λ̄) + F∘(VᵀV̄))·Vᵀ)` with `Fᵢⱼ = 1/(λⱼ − λᵢ)`, `Fᵢᵢ = 0`.
/// (hmatrix-backprop uses `Fᵢⱼ = λⱼ − λᵢ`, which is wrong.)
///
/// # Panics
/// - As [`try_eigensystem`] for bad input.
/// - In the backward pass, when a cotangent reaches `V` and two eigenvalues are equal to within
///   rounding: eigenvectors have no derivative there. A cotangent on `λ` alone is always fine.
#[track_caller]
pub fn eigensystem<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, (R<N, B>, Sq<N, B>)>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_eigensystem(a))
}

/// [`eigensystem`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the eigensolver does not converge; both name `eigensystem`.
#[allow(clippy::type_complexity)]
pub fn try_eigensystem<'t, N, B>(
    a: BVar<'t, Sym<N, B>>,
) -> Result<BVar<'t, (R<N, B>, Sq<N, B>)>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "eigensystem";
    let e = B::sym_eigen(a.value().data()).map_err(|e| e.with_op(OP))?;
    Ok(eigen_var(OP, a, e))
}

/// Records `(λ, V)` of `a`, with the rule of [`eigensystem`] (the error messages name `op`).
/// Also the hidden input of [`eigenvalues`], whose rule reads `V` as a variable so that its
/// second order flows through the eigenvectors.
fn eigen_var<'t, N: Dim, B: Backend>(
    op: &'static str,
    a: BVar<'t, Sym<N, B>>,
    e: SymEigen<RealMatrix<B>, RealVector<B>>,
) -> BVar<'t, (R<N, B>, Sq<N, B>)> {
    let out = (R::wrap(e.values), L::wrap(e.vectors));
    rule1(a, out, move |cx, ia, out, dy| {
        let (lambda, v) = out.unzip();
        let (dlambda, dv) = dy.unzip();
        let mut inner = diag_of(dlambda);
        if reached(&dv) {
            assert_separated(op, "eigen", &lambda.get().to_vec());
            let vtdv: Val<'_, Sq<N, B>> = product(&v, Yes, &dv, No);
            inner = inner + gaps(vtdv, &lambda);
        }
        pull_sym_sandwich(cx, ia, &v, inner);
    })
}

/// The eigenvalues of a symmetric matrix, descending (hmatrix's `eigenvalues`).
///
/// Gradient: `Ā = V·diag(λ̄)·Vᵀ`. At repeated eigenvalues the individual `λᵢ` are not
/// differentiable; the result is the gradient for the backend's choice of eigenvectors, exact
/// for any function symmetric in the repeated eigenvalues (their sum, say). Always finite.
///
/// # Panics
/// As [`try_eigenvalues`].
#[track_caller]
pub fn eigenvalues<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_eigenvalues(a))
}

/// [`eigenvalues`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the eigensolver does not converge; both name `eigenvalues`.
pub fn try_eigenvalues<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "eigenvalues";
    let e = B::sym_eigen(a.value().data()).map_err(|e| e.with_op(OP))?;
    let lambda = R::wrap(e.values.clone());
    let system = eigen_var(OP, a, e);
    Ok(rule2(a, system, lambda, |cx, ia, isystem, _, dlambda| {
        let (_, v) = cx.value(isystem).unzip();
        pull_sym_sandwich(cx, ia, &v, diag_of(dlambda));
    }))
}
