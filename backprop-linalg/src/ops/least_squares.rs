//! Least squares and the pseudo-inverse: [`lstsq`] (hmatrix's `<\>`) and [`pinv`], each with a
//! `try_` form.
//!
//! Both need full rank: at a rank-deficient matrix the solution and the pseudo-inverse are
//! discontinuous (an arbitrarily small perturbation raises the rank), so no derivative exists.
//! They are refused with [`LinalgError::Singular`] naming the operation.

use backprop_backend::{Transpose, validate};
use backprop_core::BVar;
use typenum::{IsLessOrEqual, True, Unsigned};

use crate::L;
use crate::backend::{Backend, LinalgError, RealMatrix, fail, sized};
use crate::dense::Dense;
use crate::ops::factorizations::{in_backward, relabel};
use crate::ops::qr::{full_rank_qr, rank_deficient};
use crate::ops::record::{add_product, record1, record2};
use crate::ops::solve::Triangle;

use Transpose::{No, Yes};

// ----- least squares -----

/// The least-squares solution `X = argmin ‖A·X − B‖_F` for a tall (or square) `A` of full
/// column rank (hmatrix's `<\>`), computed from the thin QR `A = Q·R` as `X = R⁻¹·Qᵀ·B`.
///
/// Gradient (the normal equations `AᵀA·X = AᵀB` differentiated; PyTorch's
/// `linalg_lstsq_backward`): with `Y = (AᵀA)⁻¹·X̄ = R⁻¹·R⁻ᵀ·X̄` and the residual `E = B − A·X`,
/// `B̄ = A·Y`, `Ā = E·Yᵀ − A·Y·Xᵀ`. The residual term vanishes for a consistent system (square
/// `A`, where this is [`lin_solve`](crate::lin_solve)'s rule).
///
/// # Panics
/// As [`try_lstsq`].
#[track_caller]
pub fn lstsq<'t, M, N, K, B>(
    a: BVar<'t, L<M, N, B>>,
    b: BVar<'t, L<M, K, B>>,
) -> BVar<'t, L<N, K, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + IsLessOrEqual<M, Output = True> + 'static,
    K: Unsigned + 'static,
    B: Backend,
{
    try_lstsq(a, b).unwrap_or_else(|e| fail(e))
}

/// [`lstsq`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if `A` is numerically rank deficient (the smallest entry of the
///   diagonal of its `R` factor is zero or at most `10·M·ε` times the largest): the minimiser
///   is then not unique.
/// - [`LinalgError::NonFinite`] for NaN or infinite entries in `A` or `B`.
///
/// Both name `lstsq`.
pub fn try_lstsq<'t, M, N, K, B>(
    a: BVar<'t, L<M, N, B>>,
    b: BVar<'t, L<M, K, B>>,
) -> Result<BVar<'t, L<N, K, B>>, LinalgError>
where
    M: Unsigned + 'static,
    N: Unsigned + IsLessOrEqual<M, Output = True> + 'static,
    K: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "lstsq";
    let f = full_rank_qr::<B>(OP, a.value().data())?;
    validate::finite_matrix::<f64, B>(OP, b.value().data())?;
    let qtb = sized(B::matmul(&f.q, Yes, b.value().data(), No));
    let r = f.r;
    let x = L::wrap(r_solve::<B>(OP, &r, &qtb, No)?);
    Ok(record2(a, b, x, move |ctx, ia, ib, x, dx| {
        let (a, b) = (ctx.value(ia).data(), ctx.value(ib).data());
        let w = in_backward(OP, r_solve::<B>(OP, &r, dx.data(), Yes));
        let y = in_backward(OP, r_solve::<B>(OP, &r, &w, No));
        let ay = sized(B::matmul(a, No, &y, No));
        if ctx.wants(ia) {
            let mut residual = b.clone();
            sized(B::gemm(&mut residual, -1.0, a, No, x.data(), No, 1.0));
            add_product(ctx, ia, &residual, No, &y, Yes);
            add_product(ctx, ia, &B::mat_neg(&ay), No, x.data(), Yes);
        }
        ctx.add(ib, L::wrap(ay));
    }))
}

/// `op(R)⁻¹·rhs` for the upper triangular `r`.
fn r_solve<B: Backend>(
    op: &'static str,
    r: &RealMatrix<B>,
    rhs: &RealMatrix<B>,
    trans: Transpose,
) -> Result<RealMatrix<B>, LinalgError> {
    B::solve_triangular(r, rhs, Triangle::Upper, trans).map_err(|e| relabel(e, op))
}

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
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    try_pinv(a).unwrap_or_else(|e| fail(e))
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
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "pinv";
    let f = B::svd_thin(a.value().data()).map_err(|e| relabel(e, OP))?;
    let s = B::vec_to_vec(&f.s);
    if rank_deficient(&s, M::USIZE.max(N::USIZE)) {
        return Err(LinalgError::Singular { op: OP });
    }
    let (n, k) = B::mat_shape(&f.v);
    let v_sinv = B::mat_from_fn(n, k, |i, j| B::mat_get(&f.v, i, j) / s[j]);
    let p = L::wrap(sized(B::matmul(&v_sinv, No, &f.u, Yes)));
    Ok(record1(a, p, |ctx, ia, p, dp| {
        let a = ctx.value(ia).data();
        let g = pinv_pullback::<B>(a, p.data(), dp.data());
        ctx.add(ia, L::wrap(g));
    }))
}

/// The rule of [`pinv`], for `a` (`m×n`), `p = A⁺` (`n×m`) and its cotangent `dp` (`n×m`).
fn pinv_pullback<B: Backend>(
    a: &RealMatrix<B>,
    p: &RealMatrix<B>,
    dp: &RealMatrix<B>,
) -> RealMatrix<B> {
    let mm = |x: &RealMatrix<B>, tx, y: &RealMatrix<B>, ty| sized(B::matmul(x, tx, y, ty));
    // −A⁺ᵀ·Ḡ·A⁺ᵀ
    let mut g = B::mat_neg(&mm(p, Yes, &mm(dp, No, p, Yes), No));
    // (I − A·A⁺)·W with W = Ḡᵀ·A⁺·A⁺ᵀ (m×n): W − A·(A⁺·W).
    let w = mm(dp, Yes, &mm(p, No, p, Yes), No);
    sized(B::mat_axpy(&mut g, 1.0, &w));
    sized(B::gemm(&mut g, -1.0, a, No, &mm(p, No, &w, No), No, 1.0));
    // Z·(I − A⁺·A) with Z = A⁺ᵀ·A⁺·Ḡᵀ (m×n): Z − (Z·A⁺)·A.
    let z = mm(&mm(p, Yes, p, No), No, dp, Yes);
    sized(B::mat_axpy(&mut g, 1.0, &z));
    sized(B::gemm(&mut g, -1.0, &mm(&z, No, p, No), No, a, No, 1.0));
    g
}
