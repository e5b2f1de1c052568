//! Factorizations: [`svd`], [`svd_`], [`eigensystem`], [`eigenvalues`], [`chol`], each with a
//! `try_` form.
//!
//! Conventions (those of [`Factorize`](backprop_backend::Factorize), identical on every
//! backend): singular values and eigenvalues descending; in each singular vector of `U` and each
//! eigenvector, the entry of largest magnitude is positive; [`chol`] returns the **upper**
//! factor `R` with `A = RᵀR`, as hmatrix does.
//!
//! # Gradients at degenerate inputs
//! Singular vectors and eigenvectors are defined only up to a rotation within a repeated
//! singular value or eigenvalue, and their derivative does not exist there. When a cotangent
//! reaches the vectors (`U`, `V` of [`svd_`], the eigenvectors of [`eigensystem`]) and two
//! values coincide to within rounding (`|σᵢ − σⱼ| ≤ 4·k·ε·σ₁`), the backward pass **panics**
//! with a message naming the operation and the repeated values: it never returns NaN.
//! Values-only gradients ([`svd`], [`eigenvalues`], or a cotangent on the values only) are
//! always finite.

use backprop_backend::{Transpose, Triangle};
use backprop_core::BVar;
use typenum::Unsigned;

use crate::backend::{Backend, LinalgError, RealMatrix, fail, sized};
use crate::dense::Dense;
use crate::ops::record::{add_product, record1};
use crate::types::sym::symmetrize;
use crate::{L, R, Sq, Sym};

use Transpose::{No, Yes};

/// The error of a backend primitive, relabelled with the name of the lifted operation that
/// called it (so a user reads `chol: ...`, not `cholesky: ...`).
pub(crate) fn relabel(e: LinalgError, op: &'static str) -> LinalgError {
    match e {
        LinalgError::Singular { .. } => LinalgError::Singular { op },
        LinalgError::NotPositiveDefinite { .. } => LinalgError::NotPositiveDefinite { op },
        LinalgError::NonFinite { .. } => LinalgError::NonFinite { op },
        LinalgError::NoConvergence { .. } => LinalgError::NoConvergence { op },
        other => other,
    }
}

/// Unwraps a decomposition recomputed in a backward pass (it succeeded in the forward pass on
/// the same input, so a failure is a backend bug), panicking with the operation's name.
#[track_caller]
pub(crate) fn in_backward<T>(op: &'static str, result: Result<T, LinalgError>) -> T {
    result.unwrap_or_else(|e| panic!("{op}: backward pass: {e}"))
}

/// `A·diag(d)`: column `j` of `a` scaled by `d(j)`.
fn scale_columns<B: Backend>(a: &RealMatrix<B>, d: impl Fn(usize) -> f64) -> RealMatrix<B> {
    let (r, c) = B::mat_shape(a);
    B::mat_from_fn(r, c, |i, j| B::mat_get(a, i, j) * d(j))
}

/// Whether any entry is non-zero (a cotangent that actually reaches the vectors).
fn any_nonzero<B: Backend>(a: &RealMatrix<B>) -> bool {
    B::mat_fold(a, false, |acc, x| acc || x != 0.0)
}

/// Panics if two of the (descending) `values` coincide to within rounding: the vectors'
/// derivative is undefined there.
#[track_caller]
fn assert_separated(op: &'static str, what: &str, values: &[f64]) {
    let k = values.len();
    let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 4.0 * k as f64 * f64::EPSILON * scale;
    for i in 1..k {
        if (values[i - 1] - values[i]).abs() <= tol {
            panic!(
                "{op}: the gradient through the {what} vectors is undefined at repeated {what} \
                 values ({} and {} at positions {} and {}); differentiate only the values, or \
                 perturb the input",
                values[i - 1],
                values[i],
                i - 1,
                i
            );
        }
    }
}

/// `Fᵢⱼ·Xᵢⱼ` with `Fᵢⱼ = 1/(dⱼ − dᵢ)` off the diagonal and `0` on it.
fn f_hadamard<B: Backend>(x: &RealMatrix<B>, d: &[f64]) -> RealMatrix<B> {
    let (r, c) = B::mat_shape(x);
    B::mat_from_fn(r, c, |i, j| {
        if i == j {
            0.0
        } else {
            B::mat_get(x, i, j) / (d[j] - d[i])
        }
    })
}

/// `a − b`, same shapes.
fn sub<B: Backend>(a: &RealMatrix<B>, b: &RealMatrix<B>) -> RealMatrix<B> {
    sized(B::mat_sub(a, b))
}

// ----- SVD -----

/// The singular values of `A` (hmatrix's `svd`), as a vector of length `N`: the
/// `k = min(M, N)` singular values in descending order, then `N − k` zeros when `M < N`
/// (hmatrix pads with zeros to the number of columns).
///
/// Gradient: `Ā = U·diag(σ̄₁..σ̄ₖ)·Vᵀ` with the thin SVD `A = U·diag(σ)·Vᵀ`; the padding
/// entries are constant. At repeated (or zero) singular values the individual `σᵢ` are not
/// differentiable; the result is then the gradient for the backend's choice of vectors, which is
/// exact for any function symmetric in the repeated values (their sum, say).
///
/// # Panics
/// If `A` holds NaN or infinite values, or the SVD does not converge, with the message of
/// [`try_svd`].
#[track_caller]
pub fn svd<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, R<N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    try_svd(a).unwrap_or_else(|e| fail(e))
}

/// [`svd`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD iteration does not converge; both name `svd`.
pub fn try_svd<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "svd";
    let s = B::singular_values(a.value().data()).map_err(|e| relabel(e, OP))?;
    let k = B::vec_len(&s);
    let padded = R::from_fn(|i| if i < k { B::vec_get(&s, i) } else { 0.0 });
    Ok(record1(a, padded, move |ctx, ia, _, ds| {
        let f = in_backward(OP, B::svd_thin(ctx.value(ia).data()));
        let u_ds = scale_columns::<B>(&f.u, |j| ds.get(j));
        add_product(ctx, ia, &u_ds, No, &f.v, Yes);
    }))
}

/// The full singular value decomposition `A = U·Σ·Vᵀ` (hmatrix's `svd`, three factors):
/// `(U, σ, V)` with `U` `M×M` and `V` `N×N` orthogonal and `σ` as in [`svd`] (descending,
/// zero-padded to length `N`). Split the result with `.split()`.
///
/// Gradient (Townsend 2016, "Differentiating the Singular Value Decomposition"), with
/// `k = min(M, N)`, the first `k` columns `U₁`, `V₁`, `S = diag(σ₁..σₖ)` and
/// `Fᵢⱼ = 1/(σⱼ² − σᵢ²)` (`Fᵢᵢ = 0`):
/// `Ā = U₁[diag(σ̄) + (F∘(U₁ᵀŪ₁ − Ū₁ᵀU₁))S + S(F∘(V₁ᵀV̄₁ − V̄₁ᵀV₁))]V₁ᵀ
///    + (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ)`.
///
/// # The extra columns of a non-square input
/// For `M > N` the last `M − N` columns `U₂` of `U` are an orthonormal basis of the complement
/// of `A`'s range: unique only up to a rotation `U₂ → U₂·O` (for one column, up to its sign,
/// which the sign rule fixes). Likewise `V₂` for `N > M`. Only functions of `U₂` invariant
/// under that rotation (functions of `U₂U₂ᵀ = I − U₁U₁ᵀ`, e.g. `U·diag(w)·Uᵀ` with equal
/// weights on the extra columns) have a gradient, and for them a perturbation moves `U₂` by
/// `dU₂ = −U₁·dU₁ᵀ·U₂`. The pullback folds their cotangent into `U₁`'s as
/// `Ū₁ ← Ū₁ − U₂Ū₂ᵀU₁` (and `V̄₁ ← V̄₁ − V₂V̄₂ᵀV₁`), which is exact for every such function,
/// and for any function at all when there is a single extra column.
///
/// # Panics
/// - As [`try_svd_`] for bad input.
/// - In the backward pass, when a cotangent reaches `U` or `V` and two singular values are
///   equal to within rounding (the vectors' derivative does not exist there), or when the input
///   is not square and its smallest singular value is zero (the projection terms need `S⁻¹`).
///   A cotangent on `σ` alone is always fine.
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn svd_<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (L<M, M, B>, R<N, B>, L<N, N, B>)>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    try_svd_(a).unwrap_or_else(|e| fail(e))
}

/// [`svd_`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD iteration does not converge; both name `svd_`.
#[allow(clippy::type_complexity)]
pub fn try_svd_<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<M, M, B>, R<N, B>, L<N, N, B>)>, LinalgError>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "svd_";
    let f = B::svd(a.value().data()).map_err(|e| relabel(e, OP))?;
    let k = B::vec_len(&f.s);
    let s = R::from_fn(|i| if i < k { B::vec_get(&f.s, i) } else { 0.0 });
    let out = (L::wrap(f.u), s, L::wrap(f.v));
    Ok(record1(a, out, move |ctx, ia, (u, s, v), (du, ds, dv)| {
        let s: Vec<f64> = s.to_vec()[..k].to_vec();
        let g = svd_pullback::<B>(u.data(), &s, v.data(), du.data(), &ds.to_vec(), dv.data());
        ctx.add(ia, L::wrap(g));
    }))
}

/// The rule of [`svd_`]: `u` (`m×m`), `v` (`n×n`), the `k` singular values `s`, and the
/// cotangents of `U`, `σ` (only its first `k` entries are read) and `V`. Folds the cotangent
/// of the extra columns into the first `k` (see [`svd_`]), then applies
/// [`thin_svd_pullback`].
fn svd_pullback<B: Backend>(
    u: &RealMatrix<B>,
    s: &[f64],
    v: &RealMatrix<B>,
    du: &RealMatrix<B>,
    ds: &[f64],
    dv: &RealMatrix<B>,
) -> RealMatrix<B> {
    let (m, n) = (B::mat_shape(u).0, B::mat_shape(v).0);
    let k = s.len();
    if k == 0 {
        return B::mat_zeros(m, n);
    }
    let u1 = sized(B::mat_cols(u, 0..k));
    let v1 = sized(B::mat_cols(v, 0..k));
    // Cotangents of the first k columns, with the gauge-invariant part of the extra columns'
    // cotangent folded in: Ū₁ − U₂·Ū₂ᵀ·U₁ (and likewise for V).
    let fold = |q: &RealMatrix<B>, q1: &RealMatrix<B>, dq: &RealMatrix<B>, rows: usize| {
        let mut dq1 = sized(B::mat_cols(dq, 0..k));
        if rows > k && any_nonzero::<B>(dq) {
            let q2 = sized(B::mat_cols(q, k..rows));
            let dq2 = sized(B::mat_cols(dq, k..rows));
            let t = sized(B::matmul(&dq2, Yes, q1, No));
            sized(B::gemm(&mut dq1, -1.0, &q2, No, &t, No, 1.0));
        }
        dq1
    };
    let du1 = fold(u, &u1, du, m);
    let dv1 = fold(v, &v1, dv, n);
    thin_svd_pullback::<B>("svd_", &u1, s, &v1, &du1, ds, &dv1)
}

/// The thin SVD rule (Townsend 2016): `u1` (`m×k`), `v1` (`n×k`), the `k` singular values
/// `s`, and the cotangents of `U₁`, `σ` (its first `k` entries) and `V₁`:
/// `Ā = U₁[diag(σ̄) + (F∘(U₁ᵀŪ₁ − Ū₁ᵀU₁))S + S(F∘(V₁ᵀV̄₁ − V̄₁ᵀV₁))]V₁ᵀ
///    + (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ)`.
///
/// # Panics
/// When a cotangent reaches the vectors and two singular values are equal to within rounding,
/// or the input is not square and rank deficient; the message names `op`.
pub(crate) fn thin_svd_pullback<B: Backend>(
    op: &'static str,
    u1: &RealMatrix<B>,
    s: &[f64],
    v1: &RealMatrix<B>,
    du1: &RealMatrix<B>,
    ds: &[f64],
    dv1: &RealMatrix<B>,
) -> RealMatrix<B> {
    let (m, n) = (B::mat_shape(u1).0, B::mat_shape(v1).0);
    let k = s.len();
    if k == 0 {
        return B::mat_zeros(m, n);
    }
    let mut inner = B::mat_from_fn(k, k, |i, j| if i == j { ds[i] } else { 0.0 });
    let mut extra: Option<RealMatrix<B>> = None;
    if any_nonzero::<B>(du1) || any_nonzero::<B>(dv1) {
        assert_separated(op, "singular", s);
        if m != n && s[k - 1] <= 4.0 * k as f64 * f64::EPSILON * s[0] {
            panic!(
                "{op}: the gradient through U and V of a non-square matrix is undefined when it \
                 is rank deficient (smallest singular value {}); differentiate only σ",
                s[k - 1]
            );
        }
        let ju = sized(B::matmul(u1, Yes, du1, No));
        let jv = sized(B::matmul(v1, Yes, dv1, No));
        let sq: Vec<f64> = s.iter().map(|x| x * x).collect();
        let skew_u = f_hadamard::<B>(&sub::<B>(&ju, &B::mat_transpose(&ju)), &sq);
        let skew_v = f_hadamard::<B>(&sub::<B>(&jv, &B::mat_transpose(&jv)), &sq);
        // (F∘skew_u)·S + S·(F∘skew_v)
        let terms = B::mat_from_fn(k, k, |i, j| {
            B::mat_get(&skew_u, i, j) * s[j] + s[i] * B::mat_get(&skew_v, i, j)
        });
        sized(B::mat_axpy(&mut inner, 1.0, &terms));
        // (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ); each is zero when its side is square.
        let mut proj = B::mat_zeros(m, n);
        if m > k {
            let mut pu = du1.clone();
            sized(B::gemm(&mut pu, -1.0, u1, No, &ju, No, 1.0));
            let pu = scale_columns::<B>(&pu, |j| 1.0 / s[j]);
            sized(B::gemm(&mut proj, 1.0, &pu, No, v1, Yes, 1.0));
        }
        if n > k {
            let mut pv = dv1.clone();
            sized(B::gemm(&mut pv, -1.0, v1, No, &jv, No, 1.0));
            let u1s = scale_columns::<B>(u1, |j| 1.0 / s[j]);
            sized(B::gemm(&mut proj, 1.0, &u1s, No, &pv, Yes, 1.0));
        }
        extra = Some(proj);
    }
    let mut g = sized(B::matmul(
        &sized(B::matmul(u1, No, &inner, No)),
        No,
        v1,
        Yes,
    ));
    if let Some(proj) = extra {
        sized(B::mat_axpy(&mut g, 1.0, &proj));
    }
    g
}

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
    N: Unsigned + 'static,
    B: Backend,
{
    try_eigensystem(a).unwrap_or_else(|e| fail(e))
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
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "eigensystem";
    let e = B::sym_eigen(a.value().data()).map_err(|e| relabel(e, OP))?;
    let out = (R::wrap(e.values), L::wrap(e.vectors));
    Ok(record1(a, out, |ctx, ia, (lambda, v), (dlambda, dv)| {
        let lambda = lambda.to_vec();
        let mut inner = B::mat_from_diag(dlambda.data());
        if any_nonzero::<B>(dv.data()) {
            assert_separated(OP, "eigen", &lambda);
            let vtdv = sized(B::matmul(v.data(), Yes, dv.data(), No));
            sized(B::mat_axpy(
                &mut inner,
                1.0,
                &f_hadamard::<B>(&vtdv, &lambda),
            ));
        }
        add_sym_sandwich(ctx, ia, v.data(), &inner);
    }))
}

/// Adds `sym(V·X·Vᵀ)` to the gradient of the symmetric input `ia`.
fn add_sym_sandwich<N: Unsigned + 'static, B: Backend>(
    ctx: &mut backprop_core::Backward<'_>,
    ia: backprop_core::VarId<Sym<N, B>>,
    v: &RealMatrix<B>,
    x: &RealMatrix<B>,
) {
    let g = sized(B::matmul(&sized(B::matmul(v, No, x, No)), No, v, Yes));
    ctx.add(ia, Sym::wrap(symmetrize::<B>(&g)));
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
    N: Unsigned + 'static,
    B: Backend,
{
    try_eigenvalues(a).unwrap_or_else(|e| fail(e))
}

/// [`eigenvalues`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the eigensolver does not converge; both name `eigenvalues`.
pub fn try_eigenvalues<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "eigenvalues";
    let e = B::sym_eigen(a.value().data()).map_err(|e| relabel(e, OP))?;
    let vectors = e.vectors;
    Ok(record1(a, R::wrap(e.values), move |ctx, ia, _, dlambda| {
        add_sym_sandwich(ctx, ia, &vectors, &B::mat_from_diag(dlambda.data()));
    }))
}

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
    N: Unsigned + 'static,
    B: Backend,
{
    try_chol(a).unwrap_or_else(|e| fail(e))
}

/// [`chol`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NotPositiveDefinite`] if `A` is not (numerically) positive definite,
/// [`LinalgError::NonFinite`] for NaN or infinite entries; both name `chol`.
pub fn try_chol<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> Result<BVar<'t, Sq<N, B>>, LinalgError>
where
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "chol";
    let lower = B::cholesky(a.value().data()).map_err(|e| relabel(e, OP))?;
    let r = L::wrap(B::mat_transpose(&lower));
    Ok(record1(a, r, |ctx, ia, r, dr| {
        let r = r.data();
        let n = B::mat_shape(r).0;
        let m = sized(B::matmul(r, No, dr.data(), Yes));
        let phi = B::mat_from_fn(n, n, |i, j| match i.cmp(&j) {
            std::cmp::Ordering::Greater => B::mat_get(&m, i, j),
            std::cmp::Ordering::Equal => 0.5 * B::mat_get(&m, i, j),
            std::cmp::Ordering::Less => 0.0,
        });
        // X = R⁻¹Φ, then Y = R⁻¹Xᵀ = (X·R⁻ᵀ)ᵀ; sym(Yᵀ) = sym(Y).
        let solve =
            |b: &RealMatrix<B>| in_backward(OP, B::solve_triangular(r, b, Triangle::Upper, No));
        let x = solve(&phi);
        let y = solve(&B::mat_transpose(&x));
        ctx.add(ia, Sym::wrap(symmetrize::<B>(&y)));
    }))
}
