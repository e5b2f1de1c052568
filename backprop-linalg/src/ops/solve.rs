//! Square linear solves: [`lin_solve`] (and [`lin_solve_v`]), [`triangular_solve`] and
//! [`chol_solve`], each with a `try_` form. None of them is lifted by hmatrix-backprop.
//!
//! A matrix is singular by the rule of [`is_singular`] applied to its LU pivots (or to the
//! diagonal of a triangular matrix): a zero pivot, or smallest/largest pivot ≤ 100·n·ε (ε of
//! the backend's precision). A singular system is refused with [`LinalgError::Singular`]
//! naming the operation, never answered with NaN or infinities.

use crate::dim::Dim;
use backprop_backend::conventions::is_singular;
use backprop_backend::validate;
use backprop_backend::{Lu, Transpose};
use backprop_core::{BVar, Val};
use typenum::U1;

use crate::backend::{Backend, LinalgError, RealMatrix, or_fail};
use crate::dense::{Construct, Dense};
use crate::ops::shape::matrices::{col, uncol};
use crate::ops::support::masks::{Mask, masked};
use crate::ops::support::record::{flip, product, pull_product, rule2};
use crate::ops::support::{in_backward, shapes};
use crate::{L, R, Sq};

pub use backprop_backend::Triangle;

use Transpose::{No, Yes};

/// The LU factors `P·A = L·U` of a non-singular square matrix, kept from the forward pass so the
/// backward pass solves with `Aᵀ` without factorizing again.
struct LuFactors<B: Backend>(Lu<RealMatrix<B>, B::Real>);

impl<B: Backend> LuFactors<B> {
    /// Factorizes `a`, or fails (naming `op`) if it is not finite or singular.
    fn new(op: &'static str, a: &RealMatrix<B>) -> Result<Self, LinalgError> {
        let lu = B::lu(a).map_err(|e| e.with_op(op))?;
        if is_singular(&B::vec_to_vec(&B::mat_diag(&lu.u))) {
            return Err(LinalgError::Singular { op });
        }
        Ok(Self(lu))
    }

    /// Solves `op(A)·X = rhs`: `A·X = rhs` is `L·U·X = P·rhs`; `Aᵀ·X = rhs` is
    /// `Uᵀ·Lᵀ·(P·X) = rhs`.
    fn solve(
        &self,
        op: &'static str,
        rhs: &RealMatrix<B>,
        trans: Transpose,
    ) -> Result<RealMatrix<B>, LinalgError> {
        let Lu { l, u, perm, .. } = &self.0;
        let tri = |a, b: &RealMatrix<B>, t, tr| {
            B::solve_triangular(a, b, t, tr).map_err(|e| e.with_op(op))
        };
        let (n, k) = B::mat_shape(rhs);
        if trans.is_transposed() {
            let w = tri(u, rhs, Triangle::Upper, Yes)?;
            let v = tri(l, &w, Triangle::Lower, Yes)?;
            let mut x = B::mat_zeros(n, k);
            for (i, &p) in perm.iter().enumerate() {
                for j in 0..k {
                    B::mat_set(&mut x, p, j, B::mat_get(&v, i, j));
                }
            }
            Ok(x)
        } else {
            let pb = B::mat_from_fn(n, k, |i, j| B::mat_get(rhs, perm[i], j));
            tri(u, &tri(l, &pb, Triangle::Lower, No)?, Triangle::Upper, No)
        }
    }
}

/// `op(A)⁻¹·B` for a triangular `A`, as a quantity of a rule: solved on plain values, recorded
/// on variables ([`record_tri_solve`]). `op` names the lifted operation in the panic of a
/// singular `A` (it solved with the same factor in its forward pass).
pub(crate) fn tri_solve<'v, N, K, B>(
    op: &'static str,
    a: &Val<'v, Sq<N, B>>,
    b: Val<'v, L<N, K, B>>,
    tri: Triangle,
    trans: Transpose,
) -> Val<'v, L<N, K, B>>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    let solve = |a: &Sq<N, B>, b: &L<N, K, B>| {
        L::wrap(in_backward(
            op,
            B::solve_triangular(a.data(), b.data(), tri, trans),
        ))
    };
    match a.tape().or(b.tape()) {
        Some(tape) => {
            let (a, b) = (a.to_var(tape), b.on(tape));
            let x = solve(a.value(), b.value());
            Val::Var(record_tri_solve(op, a, b, x, tri, trans))
        }
        None => Val::Own(solve(a.get(), b.get())),
    }
}

/// Records `X = op(A)⁻¹·B` for a triangular `A`.
///
/// Gradient: `B̄ = op(A)⁻ᵀ·X̄`; `Ā = −tri(B̄·Xᵀ)` for `op(A) = A` and `−tri(X·B̄ᵀ)` for
/// `op(A) = Aᵀ` (only the `tri` triangle of `A` is read).
fn record_tri_solve<'t, N, K, B>(
    op: &'static str,
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
    x: L<N, K, B>,
    tri: Triangle,
    trans: Transpose,
) -> BVar<'t, L<N, K, B>>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    rule2(a, b, x, move |cx, ia, ib, x, dx| {
        let a = cx.value(ia);
        let db = tri_solve(op, &a, dx, tri, flip::<B::Real>(trans));
        if cx.wants(ia) {
            let outer: Val<'_, Sq<N, B>> = match trans {
                No => product(&db, No, &x, Yes),
                _ => product(&x, No, &db, Yes),
            };
            cx.add(ia, -masked(outer, tri.into()));
        }
        cx.add(ib, db);
    })
}

// ----- general square solve -----

/// The solution `X = A⁻¹·B` of the square system `A·X = B` (hmatrix's `linSolve`, which returns
/// `Nothing` for a singular `A`; here [`try_lin_solve`] returns the error).
///
/// Gradient (Giles 2008, "An extended collection of matrix derivative results", §2.3.1):
/// `B̄ = A⁻ᵀ·X̄`, `Ā = −B̄·Xᵀ`. The LU factors of the forward pass are reused for the transposed
/// solve.
///
/// # Panics
/// As [`try_lin_solve`].
#[track_caller]
pub fn lin_solve<'t, N, K, B>(
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
) -> BVar<'t, L<N, K, B>>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    or_fail(try_lin_solve(a, b))
}

/// [`lin_solve`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] if `A` is singular, [`LinalgError::NonFinite`] for NaN or infinite
/// entries in `A` or `B`; both name `lin_solve`.
pub fn try_lin_solve<'t, N, K, B>(
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
) -> Result<BVar<'t, L<N, K, B>>, LinalgError>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    const OP: &str = "lin_solve";
    let lu = checked_lu(OP, a.value(), b.value().shape())?;
    let x = lu.solve(OP, b.value().data(), No)?;
    Ok(record_solve(OP, lu, a, b, x, No))
}

/// The LU factors of `a`, after checking that it is square and that a right-hand side of
/// `rhs_shape` fits it; the errors name `op`.
fn checked_lu<N: Dim, B: Backend>(
    op: &'static str,
    a: &Sq<N, B>,
    (rows, cols): (usize, usize),
) -> Result<LuFactors<B>, LinalgError> {
    let n = validate::square(op, a.shape())?;
    shapes::agree(op, "A's size and B's number of rows", (n, rows), || {
        format!("{n}×{n} and {rows}×{cols}")
    })?;
    LuFactors::<B>::new(op, a.data())
}

/// Records the solution `x` of `op(A)·X = B`, found with the factors `lu` of `A`.
///
/// Gradient: `B̄ = op(A)⁻ᵀ·X̄` (with the same factors in a first-order pass); `Ā = −B̄·Xᵀ` for
/// `op(A) = A`, `−X·B̄ᵀ` for `op(A) = Aᵀ`. Recorded for the second order, the solve with `A`
/// is an operation of its own ([`solve_var`]), which factorizes `A` again.
fn record_solve<'t, N: Dim, K: Dim, B: Backend>(
    op: &'static str,
    lu: LuFactors<B>,
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
    x: RealMatrix<B>,
    trans: Transpose,
) -> BVar<'t, L<N, K, B>> {
    rule2(a, b, L::wrap(x), move |cx, ia, ib, x, dx| {
        let db = match (dx.plain(), cx.tape()) {
            (Ok(dx), None) => Val::Own(L::wrap(in_backward(
                op,
                lu.solve(op, dx.data(), flip::<B::Real>(trans)),
            ))),
            (dx, _) => {
                let tape = cx.tape().expect("a variable is on a recorded tape");
                let dx = match dx {
                    Ok(dx) => tape.constant(dx.into_owned()),
                    Err(dx) => dx,
                };
                let a = cx.value(ia).to_var(tape);
                Val::Var(solve_var(op, a, dx, flip::<B::Real>(trans)))
            }
        };
        if cx.wants(ia) {
            let minus_db = -&db;
            match trans {
                No => pull_product(cx, ia, &minus_db, No, &x, Yes),
                _ => pull_product(cx, ia, &x, No, &minus_db, Yes),
            }
        }
        cx.add(ib, db);
    })
}

/// `X = op(A)⁻¹·B`, recorded with [`record_solve`]'s rule (for a rule's recorded pass: `A`
/// solved in the forward pass, so a singular `A` here panics naming `op`).
fn solve_var<'t, N: Dim, K: Dim, B: Backend>(
    op: &'static str,
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
    trans: Transpose,
) -> BVar<'t, L<N, K, B>> {
    let lu = in_backward(op, LuFactors::<B>::new(op, a.value().data()));
    let x = in_backward(op, lu.solve(op, b.value().data(), trans));
    record_solve(op, lu, a, b, x, trans)
}

/// The solution `x = A⁻¹·b` of `A·x = b` for one right-hand side: [`lin_solve`] on a column.
///
/// Gradient: `b̄ = A⁻ᵀ·x̄`, `Ā = −b̄·xᵀ`.
///
/// # Panics
/// As [`try_lin_solve_v`].
#[track_caller]
pub fn lin_solve_v<'t, N, B>(a: BVar<'t, Sq<N, B>>, b: BVar<'t, R<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_lin_solve_v(a, b))
}

/// [`lin_solve_v`], returning an error instead of panicking.
///
/// # Errors
/// As [`try_lin_solve`] (the errors name `lin_solve`).
pub fn try_lin_solve_v<'t, N, B>(
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    // Solved before `col(b)` is recorded, so a failure records nothing.
    const OP: &str = "lin_solve";
    let n = b.value().len();
    let lu = checked_lu(OP, a.value(), (n, 1))?;
    let column = B::mat_from_fn(n, 1, |i, _| b.value().get(i));
    let x = lu.solve(OP, &column, No)?;
    Ok(uncol(record_solve::<N, U1, B>(OP, lu, a, col(b), x, No)))
}

// ----- triangular solve -----

/// The solution `X = A⁻¹·B` of `A·X = B` for a triangular `A`, reading only the `tri` triangle
/// of `A` (diagonal included; the other triangle is ignored, as in LAPACK's `trtrs`).
///
/// Gradient (Giles 2008; JAX's `triangular_solve` transpose rule): `B̄ = A⁻ᵀ·X̄` by a transposed
/// triangular solve, and `Ā = −tri(B̄·Xᵀ)`, projected onto the triangle that is read (the
/// gradient with respect to the ignored entries is zero).
///
/// # Panics
/// As [`try_triangular_solve`].
#[track_caller]
pub fn triangular_solve<'t, N, K, B>(
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
    tri: Triangle,
) -> BVar<'t, L<N, K, B>>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    or_fail(try_triangular_solve(a, b, tri))
}

/// [`triangular_solve`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] if the diagonal of `A` is singular (a zero entry, or
/// smallest/largest magnitude ≤ 100·n·ε), [`LinalgError::NonFinite`] for NaN or infinite
/// entries in the read triangle of `A` or in `B`; both name `triangular_solve`.
pub fn try_triangular_solve<'t, N, K, B>(
    a: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
    tri: Triangle,
) -> Result<BVar<'t, L<N, K, B>>, LinalgError>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    const OP: &str = "triangular_solve";
    let x = B::solve_triangular(a.value().data(), b.value().data(), tri, No)
        .map_err(|e| e.with_op(OP))?;
    Ok(record_tri_solve(OP, a, b, L::wrap(x), tri, No))
}

// ----- Cholesky solve -----

/// The solution `X = (RᵀR)⁻¹·B` of `A·X = B` given the **upper** Cholesky factor `R` of the
/// symmetric positive definite `A = RᵀR` (hmatrix's `cholSolve`, which takes the factor
/// [`chol`](crate::chol) returns). Only the upper triangle of `R` is read.
///
/// Gradient (PyTorch's `cholesky_solve_backward`, written for the upper factor): `B̄ = A⁻¹·X̄`
/// by two triangular solves, and `R̄ = −triu(R·(B̄·Xᵀ + X·B̄ᵀ))`. Derivation: `X` solves
/// `A·X = B`, so `Ā = −B̄·Xᵀ`; with `dA = dRᵀ·R + Rᵀ·dR`, `R̄ = R·(Ā + Āᵀ)`, projected onto the
/// upper triangle that is read.
///
/// # Panics
/// As [`try_chol_solve`].
#[track_caller]
pub fn chol_solve<'t, N, K, B>(
    r: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
) -> BVar<'t, L<N, K, B>>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    or_fail(try_chol_solve(r, b))
}

/// [`chol_solve`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] if the diagonal of `R` is singular, [`LinalgError::NonFinite`] for
/// NaN or infinite entries in the upper triangle of `R` or in `B`; both name `chol_solve`.
pub fn try_chol_solve<'t, N, K, B>(
    r: BVar<'t, Sq<N, B>>,
    b: BVar<'t, L<N, K, B>>,
) -> Result<BVar<'t, L<N, K, B>>, LinalgError>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    const OP: &str = "chol_solve";
    let x = L::wrap(spd_solve::<B>(OP, r.value().data(), b.value().data())?);
    Ok(rule2(r, b, x, move |cx, ir, ib, x, dx| {
        // Only the upper triangle of `R` is read: the rest must not enter `R·S` below.
        let r = masked(cx.value(ir), Mask::Upper);
        let y = tri_solve(OP, &r, dx, Triangle::Upper, Yes);
        let db = tri_solve(OP, &r, y, Triangle::Upper, No);
        if cx.wants(ir) {
            let s: Val<'_, Sq<N, B>> = product(&db, No, &x, Yes) + product(&x, No, &db, Yes);
            let rs: Val<'_, Sq<N, B>> = product(&r, No, &s, No);
            cx.add(ir, -masked(rs, Mask::Upper));
        }
        cx.add(ib, db);
    }))
}

/// `(RᵀR)⁻¹·rhs` for the upper triangular `r`: `Rᵀ·Y = rhs`, then `R·X = Y`.
fn spd_solve<B: Backend>(
    op: &'static str,
    r: &RealMatrix<B>,
    rhs: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    let tri = |b: &RealMatrix<B>, t| {
        B::solve_triangular(r, b, Triangle::Upper, t).map_err(|e| e.with_op(op))
    };
    tri(&tri(rhs, Yes)?, No)
}
