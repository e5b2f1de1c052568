//! The Moore–Penrose pseudo-inverse [`pinv`] of a full-rank matrix, through the thin SVD.

use crate::dim::Dim;
use backprop_backend::Transpose;
use backprop_core::{BVar, Val};

use crate::backend::{Backend, LinalgError, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::qr::rank_deficient;
use crate::ops::support::record::{product, rule1};
use crate::{L, Sq};

use Transpose::{No, Yes};

// ----- pseudo-inverse -----

/// The Moore–Penrose pseudo-inverse `A⁺` of an `M×N` matrix of full rank `min(M, N)` (hmatrix's
/// `pinv`), computed from the thin SVD as `A⁺ = V·S⁻¹·Uᵀ`: `(AᵀA)⁻¹Aᵀ` for a tall `A`,
/// `Aᵀ(AAᵀ)⁻¹` for a wide one, `A⁻¹` for a square one.
///
/// Gradient (Golub & Pereyra 1973, SIAM J. Numer. Anal. 10(2), Thm 4.3):
/// `Ā = −A⁺ᵀ·Ḡ·A⁺ᵀ + (I − A·A⁺)·Ḡᵀ·A⁺·A⁺ᵀ + A⁺ᵀ·A⁺·Ḡᵀ·(I − A⁺·A)`.
///
/// # Panics
/// As [`try_pinv`].
#[track_caller]
pub fn pinv<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, L<N, M, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_pinv(a))
}

/// [`pinv`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if `A` is numerically rank deficient: its smallest singular
///   value is zero or at most `100·max(M, N)·ε` times the largest. hmatrix's `pinv` truncates
///   such singular values instead, which gives a value but no derivative.
/// - [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
///   the SVD does not converge.
///
/// All name `pinv`.
pub fn try_pinv<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> Result<BVar<'t, L<N, M, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    const OP: &str = "pinv";
    let f = B::svd_thin(a.value().data()).map_err(|e| e.with_op(OP))?;
    let s = B::vec_to_vec(&f.s);
    let (rows, cols) = a.value().shape();
    if rank_deficient(&s, rows.max(cols)) {
        return Err(LinalgError::Singular { op: OP });
    }
    let (n, k) = B::mat_shape(&f.v);
    let v_sinv = B::mat_from_fn(n, k, |i, j| B::mat_get(&f.v, i, j) / s[j]);
    let p = L::wrap(sized(B::matmul(&v_sinv, No, &f.u, Yes)));
    Ok(rule1(a, p, |cx, ia, p, dp| {
        let a = cx.value(ia);
        // −A⁺ᵀ·Ḡ·A⁺ᵀ
        let t: Val<'_, Sq<N, B>> = product(&dp, No, &p, Yes);
        let mut g: Val<'_, L<M, N, B>> = -product(&p, Yes, &t, No);
        // (I − A·A⁺)·W with W = Ḡᵀ·A⁺·A⁺ᵀ (m×n): W − A·(A⁺·W).
        let ppt: Val<'_, Sq<N, B>> = product(&p, No, &p, Yes);
        let w: Val<'_, L<M, N, B>> = product(&dp, Yes, &ppt, No);
        let pw: Val<'_, Sq<N, B>> = product(&p, No, &w, No);
        g = g + w - product(&a, No, &pw, No);
        // Z·(I − A⁺·A) with Z = A⁺ᵀ·A⁺·Ḡᵀ (m×n): Z − (Z·A⁺)·A.
        let ptp: Val<'_, Sq<M, B>> = product(&p, Yes, &p, No);
        let z: Val<'_, L<M, N, B>> = product(&ptp, No, &dp, Yes);
        let zp: Val<'_, Sq<M, B>> = product(&z, No, &p, No);
        cx.add(ia, g + z - product(&zp, No, &a, No));
    }))
}
