//! The Cholesky factorization [`chol`] (with [`try_chol`]): the **upper** factor `R` with
//! `A = RᵀR`, as hmatrix returns it. Solving with the factor is
//! [`chol_solve`](crate::chol_solve), in `solve.rs`.

use crate::dim::Dim;
use backprop_backend::{Transpose, Triangle};
use backprop_core::BVar;

use crate::backend::{Backend, LinalgError, RealMatrix, lit, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::support::in_backward;
use crate::ops::support::record::record1;
use crate::types::sym::symmetrize;
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
    Ok(record1(a, r, |ctx, ia, r, dr| {
        let r = r.data();
        let n = B::mat_shape(r).0;
        let m = sized(B::matmul(r, No, dr.data(), Yes));
        let phi = B::mat_from_fn(n, n, |i, j| match i.cmp(&j) {
            std::cmp::Ordering::Greater => B::mat_get(&m, i, j),
            std::cmp::Ordering::Equal => lit::<B>(0.5) * B::mat_get(&m, i, j),
            std::cmp::Ordering::Less => lit::<B>(0.0),
        });
        // X = R⁻¹Φ, then Y = R⁻¹Xᵀ = (X·R⁻ᵀ)ᵀ; sym(Yᵀ) = sym(Y).
        let solve =
            |b: &RealMatrix<B>| in_backward(OP, B::solve_triangular(r, b, Triangle::Upper, No));
        let x = solve(&phi);
        let y = solve(&B::mat_transpose(&x));
        ctx.add(ia, Sym::wrap(symmetrize::<B>(&y)));
    }))
}
