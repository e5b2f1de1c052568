//! [`qr`]: the reduced QR decomposition of a tall or square matrix, with gradients through both
//! factors (hmatrix-backprop lists `qr` as not lifted); for wide matrices [`lq`] (`A = L·Q`,
//! the transpose of `qr` of `Aᵀ`) and [`qr_wide`] (`A = Q·R` with `R` trapezoidal).
//!
//! Least squares through them: [`lstsq`] (hmatrix's `<\>`): the least-squares solution for a
//! tall full-rank matrix, the minimum-norm solution for a wide one, with a `try_` form. At a
//! rank-deficient matrix the solution is discontinuous (an arbitrarily small perturbation
//! raises the rank), so no derivative exists: it is refused with [`LinalgError::Singular`]
//! naming the operation.
//!
//! Every rule here is recorded ([`hvp`](crate::hvp), [`jvp`](crate::jvp)); `lstsq` reads the
//! factor `R` as a variable (a hidden QR node), so its second order flows through the QR rule.

use crate::dim::{Dim, DimLe};
use backprop_backend::{Transpose, validate};
use backprop_core::{BVar, Val};

use crate::backend::{Backend, LinalgError, Real, RealMatrix, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::dim::Dyn;
use crate::ops::solve::{Triangle, tri_solve};
use crate::ops::structure::{tr, transpose};
use crate::ops::support::blocks::{columns, place_columns};
use crate::ops::support::masks::{Mask, masked};
use crate::ops::support::record::{product, pull_product, rule1, rule3};
use crate::ops::support::shapes;
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
    Ok(qr_var(OP, a, f))
}

/// Records the thin QR factors `f` of `a` with the rule of [`qr`] (messages naming `op`); also
/// the hidden input of [`lstsq`](crate::lstsq), whose rule reads `R` as a variable.
#[allow(clippy::type_complexity)]
fn qr_var<'t, M: Dim, N: Dim, B: Backend>(
    op: &'static str,
    a: BVar<'t, L<M, N, B>>,
    f: backprop_backend::Qr<RealMatrix<B>>,
) -> BVar<'t, (L<M, N, B>, Sq<N, B>)> {
    rule1(a, (L::wrap(f.q), L::wrap(f.r)), move |cx, ia, out, dy| {
        let ((q, r), (dq, dr)) = (out.unzip(), dy.unzip());
        cx.add(ia, qr_rule(op, &q, &r, dq, dr));
    })
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

/// The rule of [`qr`]: `Ā = (Q̄ + Q·copyltu(M))·R⁻ᵀ` with `M = R·triu(R̄)ᵀ − Q̄ᵀ·Q`, where
/// `copyltu` mirrors the lower triangle onto the upper; it is `Φ(M) + Φ(M)ᵀ` with `Φ` the lower
/// triangle with its diagonal halved.
fn qr_rule<'v, M: Dim, N: Dim, B: Backend>(
    op: &'static str,
    q: &Val<'v, L<M, N, B>>,
    r: &Val<'v, Sq<N, B>>,
    dq: Val<'v, L<M, N, B>>,
    dr: Val<'v, Sq<N, B>>,
) -> Val<'v, L<M, N, B>> {
    let dr = masked(dr, Mask::Upper);
    let rdr: Val<'v, Sq<N, B>> = product(r, No, &dr, Yes);
    let dqq: Val<'v, Sq<N, B>> = product(&dq, Yes, q, No);
    let phi = masked(rdr - dqq, Mask::LowerHalfDiagonal);
    let copyltu = phi.clone() + transpose(phi);
    let t = dq + product(q, No, &copyltu, No);
    // Ā = T·R⁻ᵀ, i.e. Āᵀ = R⁻¹·Tᵀ.
    transpose(tri_solve(op, r, transpose(t), Triangle::Upper, No))
}

// ----- wide matrices -----

/// The LQ decomposition `A = L·Q` of an `M×N` matrix with `M ≤ N` and full row rank: `(L, Q)`
/// with `L` `M×M` lower triangular with a **positive** diagonal and `Q` `M×N` with orthonormal
/// rows — the transpose of [`qr`] of `Aᵀ` (`Aᵀ = Qᵀ·Lᵀ`), unique and differentiable wherever
/// `A` has full row rank. The factorization LAPACK uses for wide systems (`gelqf`). Split the
/// result with `.split()`.
///
/// Gradient: [`qr`]'s rule for `Aᵀ`, transposed: `Ā = (qr̄(Qᵀ, Lᵀ; Q̄ᵀ, L̄ᵀ))ᵀ`, that is
/// `Ā = L⁻ᵀ·(Q̄ + copyutl(M)·Q)` with `M = L̄ᵀ·L − Q·Q̄ᵀ` and `copyutl` the upper triangle
/// mirrored down. Only the lower triangle of `L̄` is read.
///
/// ```
/// use backprop_linalg::{L, eval_bp, lq};
/// use backprop_linalg::typenum::{U1, U2};
///
/// let a = L::<U1, U2>::from_row_major(&[3.0, 4.0]);
/// let (l, q) = eval_bp(lq, &a);
/// let q = q.to_row_major();
/// assert!((l.get(0, 0) - 5.0).abs() < 1e-14);
/// assert!((q[0] - 0.6).abs() < 1e-15 && (q[1] - 0.8).abs() < 1e-15);
/// ```
///
/// # Panics
/// As [`try_lq`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn lq<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (Sq<M, B>, L<M, N, B>)>
where
    M: DimLe<N>,
    N: Dim,
    B: Backend,
{
    or_fail(try_lq(a))
}

/// [`lq`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if `A` is numerically rank deficient (the rule of [`qr`]).
/// - [`LinalgError::NonFinite`] for NaN or infinite entries.
/// - [`LinalgError::ShapeMismatch`] if `A` has more rows than columns (possible only with
///   run-time sizes).
///
/// All name `lq`.
#[allow(clippy::type_complexity)]
pub fn try_lq<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (Sq<M, B>, L<M, N, B>)>, LinalgError>
where
    M: DimLe<N>,
    N: Dim,
    B: Backend,
{
    const OP: &str = "lq";
    shapes::wide(OP, a.value().shape())?;
    let f = full_rank_qr::<B>(OP, &B::mat_transpose(a.value().data()))?;
    let out = (
        L::wrap(B::mat_transpose(&f.r)),
        L::wrap(B::mat_transpose(&f.q)),
    );
    // Aᵀ = Q·R with L = Rᵀ and the output's Q = Qᵀ: the rule of qr, transposed.
    Ok(rule1(a, out, move |cx, ia, out, dy| {
        let ((l, qt), (dl, dqt)) = (out.unzip(), dy.unzip());
        let (q, r) = (transpose(qt), transpose(l));
        let g = qr_rule(OP, &q, &r, transpose(dqt), transpose(dl));
        cx.add(ia, transpose(g));
    }))
}

/// The QR decomposition `A = Q·R` of a wide `M×N` matrix (`M ≤ N`) whose leading `M×M` block
/// `X` is invertible: `(Q, R)` with `Q` `M×M` orthogonal and `R` `M×N` upper trapezoidal with
/// a **positive** diagonal (numpy's `qr` of a wide matrix). With `A = [X | Y]`, `Q·R_X = X` is
/// the QR of the square block and `R = [R_X | Qᵀ·Y]`. Split the result with `.split()`.
///
/// Gradient (Liao, Liu, Wang & Xiang 2019, PRX 9:031041, §IV): with `R̄ = [R̄_X | R̄_Y]`,
/// `Ȳ = Q·R̄_Y` and `X̄` is [`qr`]'s rule for `X` with the cotangent `Q̄ + Y·R̄_Yᵀ` on `Q`
/// (`R_Y = QᵀY` depends on `Q`). It needs `X` invertible, not only `A` of full row rank: `Q`
/// is determined by the leading columns alone. For a factorization of every full-row-rank
/// wide matrix use [`lq`].
///
/// # Panics
/// As [`try_qr_wide`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn qr_wide<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (Sq<M, B>, L<M, N, B>)>
where
    M: DimLe<N>,
    N: Dim,
    B: Backend,
{
    or_fail(try_qr_wide(a))
}

/// [`qr_wide`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if the leading `M×M` block is numerically singular (the rank
///   rule of [`qr`]).
/// - [`LinalgError::NonFinite`] for NaN or infinite entries.
/// - [`LinalgError::ShapeMismatch`] if `A` has more rows than columns (possible only with
///   run-time sizes).
///
/// All name `qr_wide`.
#[allow(clippy::type_complexity)]
pub fn try_qr_wide<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (Sq<M, B>, L<M, N, B>)>, LinalgError>
where
    M: DimLe<N>,
    N: Dim,
    B: Backend,
{
    const OP: &str = "qr_wide";
    let (m, n) = a.value().shape();
    shapes::wide(OP, (m, n))?;
    let data = a.value().data();
    validate::finite_matrix::<B::Real, B>(OP, data)?;
    let f = full_rank_qr::<B>(OP, &sized(B::mat_cols(data, 0..m)))?;
    let y = sized(B::mat_cols(data, m..n));
    let r = sized(B::mat_hcat(&f.r, &sized(B::matmul(&f.q, Yes, &y, No))));
    Ok(rule1(
        a,
        (L::wrap(f.q), L::wrap(r)),
        move |cx, ia, out, dy| {
            let ((q, r), (dq, dr)) = (out.unzip(), dy.unzip());
            // A = [X Y] with X = Q·R_X and R = [R_X  QᵀY].
            let y: Val<'_, L<M, Dyn, B>> = columns(cx.value(ia), m..n);
            let r_x: Val<'_, Sq<M, B>> = columns(r, 0..m);
            let dr_x: Val<'_, Sq<M, B>> = columns(dr.clone(), 0..m);
            let dr_y: Val<'_, L<M, Dyn, B>> = columns(dr, m..n);
            let dq = dq + product(&y, No, &dr_y, Yes);
            let dx = qr_rule(OP, &q, &r_x, dq, dr_x);
            let dy: Val<'_, L<M, Dyn, B>> = product(&q, No, &dr_y, No);
            cx.add(ia, place_columns(dx, 0..m, n) + place_columns(dy, m..n, n));
        },
    ))
}

// ----- least squares -----

/// The least-squares solution of `A·X = B` (hmatrix's `<\>`, numpy's `lstsq`) for `A` of full
/// rank: for a tall (or square) `A`, `X = argmin ‖A·X − B‖_F`; for a wide `A`, the solution
/// of least norm, `X = argmin{‖X‖_F : A·X = B}`. Both are `A⁺·B` ([`pinv`](crate::pinv)).
///
/// Tall: from the thin QR `A = Q·R`, `X = R⁻¹·Qᵀ·B`. Gradient (the normal equations
/// `AᵀA·X = AᵀB` differentiated; PyTorch's `linalg_lstsq_backward`): with
/// `Y = (AᵀA)⁻¹·X̄ = R⁻¹·R⁻ᵀ·X̄` and the residual `E = B − A·X`, `B̄ = A·Y`,
/// `Ā = E·Yᵀ − A·Y·Xᵀ`. The residual term vanishes for a consistent system (square `A`,
/// where this is [`lin_solve`](crate::lin_solve)'s rule).
///
/// Wide: from the thin QR `Aᵀ = Q·R`, `X = Aᵀ·(AAᵀ)⁻¹·B = Q·R⁻ᵀ·B`. Gradient (`X = Aᵀ·Z`,
/// `AAᵀ·Z = B` differentiated): with `W = (AAᵀ)⁻¹·A·X̄ = R⁻¹·Qᵀ·X̄` and `Z = R⁻¹·R⁻ᵀ·B`,
/// `B̄ = W`, `Ā = Z·((I − QQᵀ)·X̄)ᵀ − W·Xᵀ`: the part of `X̄` outside `A`'s row space moves
/// the row space, the rest the solution within it. At a square `A` both rules are
/// `lin_solve`'s.
///
/// ```
/// use backprop_linalg::{L, eval_bp2, lstsq};
/// use backprop_linalg::typenum::{U1, U2};
///
/// // x + y = 2 has the least-norm solution x = y = 1.
/// let a = L::<U1, U2>::from_row_major(&[1.0, 1.0]);
/// let b = L::<U1, U1>::from_row_major(&[2.0]);
/// let x = eval_bp2(lstsq, &a, &b).to_row_major();
/// assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 1.0).abs() < 1e-15);
/// ```
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
    N: Dim,
    K: Dim,
    B: Backend,
{
    or_fail(try_lstsq(a, b))
}

/// [`lstsq`], returning an error instead of panicking.
///
/// # Errors
/// - [`LinalgError::Singular`] if `A` is numerically rank deficient (the rank rule of
///   [`qr`]): the solution is then not unique, or not continuous in `A`.
/// - [`LinalgError::NonFinite`] for NaN or infinite entries in `A` or `B`.
/// - [`LinalgError::ShapeMismatch`] if `A` and `B` have different numbers of rows (possible
///   only with run-time sizes).
///
/// All name `lstsq`.
pub fn try_lstsq<'t, M, N, K, B>(
    a: BVar<'t, L<M, N, B>>,
    b: BVar<'t, L<M, K, B>>,
) -> Result<BVar<'t, L<N, K, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    K: Dim,
    B: Backend,
{
    const OP: &str = "lstsq";
    let (rows, cols) = a.value().shape();
    let b_rows = b.value().shape().0;
    shapes::agree(OP, "A's and B's numbers of rows", (rows, b_rows), || {
        format!("{rows} rows and {b_rows} rows")
    })?;
    if rows < cols {
        return min_norm_lstsq(OP, a, b);
    }
    let f = full_rank_qr::<B>(OP, a.value().data())?;
    validate::finite_matrix::<B::Real, B>(OP, b.value().data())?;
    let qtb = sized(B::matmul(&f.q, Yes, b.value().data(), No));
    let x = L::wrap(r_solve::<B>(OP, &f.r, &qtb, No)?);
    let factors = qr_var(OP, a, f);
    Ok(rule3(a, b, factors, x, |cx, (ia, ib, ifactors), x, dx| {
        // Y = R⁻¹·R⁻ᵀ·X̄ = (AᵀA)⁻¹·X̄; Ā = (B − A·X)·Yᵀ − A·Y·Xᵀ, B̄ = A·Y.
        let (_, r) = cx.value(ifactors).unzip();
        let w = tri_solve(OP, &r, dx, Triangle::Upper, Yes);
        let y = tri_solve(OP, &r, w, Triangle::Upper, No);
        let a = cx.value(ia);
        let ay: Val<'_, L<M, K, B>> = product(&a, No, &y, No);
        if cx.wants(ia) {
            let residual = cx.value(ib) - product(&a, No, &x, No);
            pull_product(cx, ia, &residual, No, &y, Yes);
            pull_product(cx, ia, &-&ay, No, &x, Yes);
        }
        cx.add(ib, ay);
    }))
}

/// [`lstsq`] for a wide `A`: the minimum-norm solution and its rule.
fn min_norm_lstsq<'t, M, N, K, B>(
    op: &'static str,
    a: BVar<'t, L<M, N, B>>,
    b: BVar<'t, L<M, K, B>>,
) -> Result<BVar<'t, L<N, K, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    K: Dim,
    B: Backend,
{
    // Aᵀ = Q·R; X = Q·R⁻ᵀ·B.
    let f = full_rank_qr::<B>(op, &B::mat_transpose(a.value().data()))?;
    validate::finite_matrix::<B::Real, B>(op, b.value().data())?;
    let rtb = r_solve::<B>(op, &f.r, b.value().data(), Yes)?;
    let x = L::wrap(sized(B::matmul(&f.q, No, &rtb, No)));
    let factors = qr_var(op, tr(a), f);
    Ok(rule3(
        a,
        b,
        factors,
        x,
        move |cx, (ia, ib, ifactors), x, dx| {
            let (q, r) = cx.value(ifactors).unzip();
            // W = R⁻¹·Qᵀ·X̄.
            let qtdx: Val<'_, L<M, K, B>> = product(&q, Yes, &dx, No);
            let w = tri_solve(op, &r, qtdx.clone(), Triangle::Upper, No);
            if cx.wants(ia) {
                // Ā = Z·((I − QQᵀ)·X̄)ᵀ − W·Xᵀ, Z = R⁻¹·R⁻ᵀ·B.
                let rtb = tri_solve(op, &r, cx.value(ib), Triangle::Upper, Yes);
                let z = tri_solve(op, &r, rtb, Triangle::Upper, No);
                let off = dx - product(&q, No, &qtdx, No);
                pull_product(cx, ia, &z, No, &off, Yes);
                pull_product(cx, ia, &-&w, No, &x, Yes);
            }
            cx.add(ib, w);
        },
    ))
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
