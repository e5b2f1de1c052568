//! [`qr`]: the reduced QR decomposition of a tall or square matrix, with gradients through both
//! factors (hmatrix-backprop lists `qr` as not lifted).
//!
//! Least squares through it: [`lstsq`] (hmatrix's `<\>`) for a tall full-rank matrix, with a
//! `try_` form. At a rank-deficient matrix the solution is discontinuous (an arbitrarily small
//! perturbation raises the rank), so no derivative exists: it is refused with
//! [`LinalgError::Singular`] naming the operation.

use crate::dim::{Dim, DimLe};
use backprop_backend::{Transpose, validate};
use backprop_core::BVar;

use crate::backend::{Backend, LinalgError, Real, RealMatrix, lit, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::ops::solve::{Triangle, triangle};
use crate::ops::support::record::{add_product, record1, record2};
use crate::ops::support::{in_backward, shapes};
use crate::{L, Sq};

use Transpose::{No, Yes};

/// The reduced QR decomposition `A = Q·R` of an `M×N` matrix with `N ≤ M` and full column
/// rank: `(Q, R)` with `Q` `M×N` with orthonormal columns and `R` `N×N` upper triangular with a
/// **positive** diagonal (the convention of every backend), which makes the pair unique and
/// differentiable. Split the result with `.split()`.
///
/// Gradient (Walter & Lehmann 2010, arXiv:1001.1654; Liao, Liu, Wang & Xiang 2019, PRX
/// 9:031041; Seeger et al. 2017, arXiv:1710.08717): with `M = R·R̄ᵀ − Q̄ᵀ·Q` and
/// `copyltu(M) = tril(M) + tril(M, −1)ᵀ`,
/// `Ā = (Q̄ + Q·copyltu(M))·R⁻ᵀ`, computed by a triangular solve. Only the upper triangle of
/// `R̄` is read (`R`'s lower triangle is constantly zero).
///
/// # Shapes, and hmatrix's full `Q`
/// hmatrix's Static `qr :: L m n -> (L m m, L m n)` returns the full `M×M` orthogonal `Q`. Its
/// last `M − N` columns `Q₂` are an orthonormal basis of the complement of `A`'s range, unique
/// only up to a rotation `Q₂ → Q₂·O` (for Householder QR they are fixed by the reflectors, not
/// by `A`'s geometry), so only functions of `Q₂Q₂ᵀ = I − Q·Qᵀ` are differentiable — and those
/// are functions of the reduced `Q` returned here. The full `R` is this `R` with `M − N` zero
/// rows below it. This is the form for which the rule above is exact; the bound `N ≤ M` is
/// checked by the compiler.
///
/// # Panics
/// As [`try_qr`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn qr<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (L<M, N, B>, Sq<N, B>)>
where
    M: Dim,
    N: DimLe<M>,
    B: Backend,
{
    or_fail(try_qr(a))
}

/// [`qr`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if `A` is numerically rank deficient: the smallest entry of
///   `R`'s diagonal is zero or at most `10·M·ε` times the largest. `Q` is then not determined
///   by `A` and `R⁻ᵀ` does not exist.
/// - [`LinalgError::NonFinite`] for NaN or infinite entries.
///
/// Both name `qr`.
#[allow(clippy::type_complexity)]
pub fn try_qr<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<M, N, B>, Sq<N, B>)>, LinalgError>
where
    M: Dim,
    N: DimLe<M>,
    B: Backend,
{
    const OP: &str = "qr";
    shapes::tall(OP, a.value().shape())?;
    let f = full_rank_qr::<B>(OP, a.value().data())?;
    let out = (L::wrap(f.q), L::wrap(f.r));
    Ok(record1(a, out, |ctx, ia, (q, r), (dq, dr)| {
        let g = qr_pullback::<B>(OP, q.data(), r.data(), dq.data(), dr.data());
        ctx.add(ia, L::wrap(g));
    }))
}

/// The thin QR of `a` (`m ≥ n`), refused with [`LinalgError::Singular`] naming `op` when `a`
/// is rank deficient.
///
/// The rank is decided on the singular values, not on the diagonal of `R`: without column
/// pivoting, `|Rᵢᵢ|` of a matrix of exact rank k can stay well above rounding level when its
/// leading columns are nearly parallel, while the computed singular values of such a matrix are
/// within a few ε·‖A‖ of zero. The extra SVD costs a few times the QR on the small matrices
/// this crate targets; a rank-revealing QR would be the cheaper route for large ones.
pub(crate) fn full_rank_qr<B: Backend>(
    op: &'static str,
    a: &RealMatrix<B>,
) -> Result<backprop_backend::Qr<RealMatrix<B>>, LinalgError> {
    let f = B::qr_thin(a).map_err(|e| e.with_op(op))?;
    let (m, n) = B::mat_shape(a);
    let sigma = B::singular_values(a).map_err(|e| e.with_op(op))?;
    if rank_deficient(&B::vec_to_vec(&sigma), m.max(n)) {
        return Err(LinalgError::Singular { op });
    }
    Ok(f)
}

/// The rank rule of [`qr`], [`lstsq`](crate::lstsq) and [`pinv`](crate::pinv): a matrix
/// whose largest dimension is `dim` is numerically rank deficient when one of `values` (the
/// singular values) is zero or not finite, or when
/// `min |vᵢ| ≤ 100·dim·ε·max |vⱼ|` (numpy's `matrix_rank` tolerance `dim·ε·σ₁`, with a
/// safety factor 100 because a matrix of exact rank k is left with rounding-level values of up
/// to a few tens of ε; the same factor
/// as the singularity rule of `backprop_backend::conventions::is_singular`). Near that, the
/// result would have no correct digits.
pub(crate) fn rank_deficient<S: Real>(values: &[S], dim: usize) -> bool {
    let max = values.iter().fold(zero::<S>(), |m, &v| m.max(v.abs()));
    let tol = S::from_f64_real(100.0) * S::from_usize(dim) * S::epsilon() * max;
    values.iter().any(|&v| {
        let v = v.abs();
        !v.is_finite() || v.is_zero() || v <= tol
    })
}

/// The rule of [`qr`]: `Ā = (Q̄ + Q·copyltu(R·triu(R̄)ᵀ − Q̄ᵀ·Q))·R⁻ᵀ`.
fn qr_pullback<B: Backend>(
    op: &'static str,
    q: &RealMatrix<B>,
    r: &RealMatrix<B>,
    dq: &RealMatrix<B>,
    dr: &RealMatrix<B>,
) -> RealMatrix<B> {
    let n = B::mat_shape(r).0;
    let dr = triangle::<B>(dr, Triangle::Upper);
    let mut m = sized(B::matmul(r, No, &dr, Yes));
    sized(B::gemm(
        &mut m,
        lit::<B>(-1.0),
        dq,
        Yes,
        q,
        No,
        lit::<B>(1.0),
    ));
    let copyltu = B::mat_from_fn(n, n, |i, j| B::mat_get(&m, i.max(j), i.min(j)));
    let mut t = dq.clone();
    sized(B::gemm(
        &mut t,
        lit::<B>(1.0),
        q,
        No,
        &copyltu,
        No,
        lit::<B>(1.0),
    ));
    // Ā = t·R⁻ᵀ, i.e. Āᵀ = R⁻¹·tᵀ.
    let at = in_backward(
        op,
        B::solve_triangular(r, &B::mat_transpose(&t), Triangle::Upper, No),
    );
    B::mat_transpose(&at)
}

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
    M: Dim,
    N: DimLe<M>,
    K: Dim,
    B: Backend,
{
    or_fail(try_lstsq(a, b))
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
    M: Dim,
    N: DimLe<M>,
    K: Dim,
    B: Backend,
{
    const OP: &str = "lstsq";
    let (rows, _) = a.value().shape();
    shapes::tall(OP, (rows, a.value().shape().1))?;
    let b_rows = b.value().shape().0;
    shapes::agree(OP, "A's and B's numbers of rows", (rows, b_rows), || {
        format!("{rows} rows and {b_rows} rows")
    })?;
    let f = full_rank_qr::<B>(OP, a.value().data())?;
    validate::finite_matrix::<B::Real, B>(OP, b.value().data())?;
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
            sized(B::gemm(
                &mut residual,
                lit::<B>(-1.0),
                a,
                No,
                x.data(),
                No,
                lit::<B>(1.0),
            ));
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
    B::solve_triangular(r, rhs, Triangle::Upper, trans).map_err(|e| e.with_op(op))
}
