//! The Cholesky factorization [`chol`] (with [`try_chol`]): the **upper** factor `R` with
//! `A = RᵀR`, as hmatrix returns it. Solving with the factor is
//! [`chol_solve`](crate::chol_solve), in `solve.rs`.

use crate::dim::Dim;
use backprop_backend::{Transpose, Triangle};
use backprop_core::{BVar, Val};

use crate::backend::{Backend, LinalgError, or_fail};
use crate::dense::{Construct, Dense};
use crate::ops::solve::tri_solve;
use crate::ops::structure::{symmetric_part, transpose};
use crate::ops::support::masks::{Mask, masked};
use crate::ops::support::record::{product, rule1};
use crate::{L, Sq, Sym};

use Transpose::{No, Yes};

// ----- Cholesky -----

/// The Cholesky factor of a symmetric positive definite matrix (hmatrix's `chol`): the
/// **upper** triangular `R` with positive diagonal and `A = RᵀR`.
///
/// Gradient (Murray 2016, "Differentiation of the Cholesky decomposition", written for the
/// upper factor): `Ā = sym(R⁻¹·Φ(R·R̄ᵀ)·R⁻ᵀ)`, where `Φ` keeps the lower triangle and halves
/// the diagonal. Derivation: with `L = Rᵀ`, `L⁻¹·dA·L⁻ᵀ = L⁻¹dL + (L⁻¹dL)ᵀ` and `L⁻¹dL` is
/// lower triangular, so `dL = L·Φ(L⁻¹·dA·L⁻ᵀ)`, whose adjoint is `L⁻ᵀΦ(LᵀL̄)L⁻¹`; `Φ` is
/// self-adjoint and `dA` symmetric, hence the `sym`. The cotangent's entries below the
/// diagonal (where `R` is constantly zero) do not contribute. (hmatrix-backprop's rule
/// `S = R⁻ᵀ(Φᵤ∘(RᵀR̄))R⁻¹` is wrong unless `R̄ ∝ R`.)
///
/// # Panics
/// As [`try_chol`].
#[track_caller]
pub fn chol<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_chol(a))
}

/// [`chol`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if `A` is not (numerically) positive definite,
/// [`LinalgError::NonFinite`] for NaN or infinite entries; both name `chol`.
pub fn try_chol<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> Result<BVar<'t, Sq<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "chol";
    let lower = B::cholesky(a.value().data()).map_err(|e| e.with_op(OP))?;
    let r = L::wrap(B::mat_transpose(&lower));
    Ok(rule1(a, r, |cx, ia, r, dr| {
        let m: Val<'_, Sq<N, B>> = product(&r, No, &dr, Yes);
        let phi = masked(m, Mask::LowerHalfDiagonal);
        // X = R⁻¹Φ, then Y = R⁻¹Xᵀ = (X·R⁻ᵀ)ᵀ; sym(Yᵀ) = sym(Y).
        let x = tri_solve(OP, &r, phi, Triangle::Upper, No);
        let y = tri_solve(OP, &r, transpose(x), Triangle::Upper, No);
        cx.add(ia, symmetric_part(y));
    }))
}
