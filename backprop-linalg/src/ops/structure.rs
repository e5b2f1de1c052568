//! Structure: [`tr`] (transpose), [`sym`], [`un_sym`], [`m_tm`], [`sum_elements`],
//! [`trace`] (not lifted by hmatrix-backprop), [`take_diag`] and [`diag_r`].

use crate::dim::{Dim, StaticDim};
use backprop_backend::Transpose;
use backprop_core::{BVar, Floating, Join, Val};

use crate::backend::{Backend, LinalgError, lit, or_fail, sized};
use crate::dense::{Construct, Dense, add_to_entries, filled, sum};
use crate::ops::products::{pull_scale, scale};
use crate::ops::shape::diag_of;
use crate::ops::support::linear::Linear;
use crate::ops::support::record::{pull_product, rule1};
use crate::types::sym::symmetrize;
use crate::{L, R, Sq, Sym};
use backprop_backend::validate;

/// The transpose `Aᵀ` (hmatrix's `tr`).
///
/// Gradient: `Ā = (Āᵀ)ᵀ`, the transpose of the cotangent.
pub fn tr<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, L<N, M, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let t = L::wrap(B::mat_transpose(a.value().data()));
    rule1(a, t, |cx, ia, _, dt| cx.add(ia, transpose(dt)))
}

/// The transpose of a quantity of a rule: computed on plain values, [`tr`] on variables.
pub(crate) fn transpose<'v, M, N, B>(v: Val<'v, L<M, N, B>>) -> Val<'v, L<N, M, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    v.map(|a| L::wrap(B::mat_transpose(a.data())), tr)
}

/// The symmetric part `(A + Aᵀ)/2` of a square quantity of a rule: computed on plain values,
/// [`sym`] on variables.
pub(crate) fn symmetric_part<'v, N, B>(v: Val<'v, Sq<N, B>>) -> Val<'v, Sym<N, B>>
where
    N: Dim,
    B: Backend,
{
    v.map(|a| Sym::wrap(symmetrize::<B>(a.data())), sym)
}

/// The symmetric part `(A + Aᵀ)/2` (hmatrix's `sym`).
///
/// Gradient: `Ā = sym(Ȳ)`; a `Sym` cotangent is already symmetric, so `Ā = Ȳ`.
///
/// # Panics
/// As [`try_sym`].
#[track_caller]
pub fn sym<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sym<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_sym(a))
}

/// [`sym`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"sym"`) if `A` is not square (possible only for a
/// run-time `N`).
pub fn try_sym<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, Sym<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let s = Sym::try_from_sq(a.value()).map_err(|e| e.with_op("sym"))?;
    Ok(rule1(a, s, |cx, ia, _, ds| {
        cx.add(ia, ds.map(|d| d.to_sq(), un_sym))
    }))
}

/// A symmetric matrix as an unconstrained square one (hmatrix's `unSym`).
///
/// Gradient: `Ā = sym(Ȳ)`. The cotangent of the square result need not be symmetric; its
/// symmetric part is the gradient with respect to the symmetric input (hmatrix-backprop passes
/// it through unsymmetrised, which is wrong for a non-symmetric cotangent).
pub fn un_sym<'t, N, B>(a: BVar<'t, Sym<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    let s = a.value().to_sq();
    rule1(a, s, |cx, ia, _, ds| cx.add(ia, symmetric_part(ds)))
}

/// `Xᵀ·X`, symmetric by construction (hmatrix's `mTm`).
///
/// Gradient: `X̄ = X·(D + Dᵀ)` for the cotangent `D`; with `D` symmetric (as a `Sym` cotangent
/// is), `X̄ = 2·X·D`. hmatrix-backprop uses `2·X·D` also when a non-symmetric cotangent reaches
/// it through `unSym`, which is wrong; here `un_sym` symmetrises first.
pub fn m_tm<'t, M, N, B>(x: BVar<'t, L<M, N, B>>) -> BVar<'t, Sym<N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let xv = x.value().data();
    let s = Sym::wrap(symmetrize::<B>(&sized(B::matmul(
        xv,
        Transpose::Yes,
        xv,
        Transpose::No,
    ))));
    rule1(x, s, |cx, ix, _, d| {
        let x = cx.value(ix);
        let d2 = sym_sum(d, lit::<B>(1.0));
        pull_product(cx, ix, &x, Transpose::No, &d2, Transpose::No);
    })
}

/// `factor·(D + Dᵀ)` as a square matrix, for a cotangent `D` stored as `Sym` (which need not be
/// symmetric: only [`un_sym`]'s rule symmetrises): the gradient of a quadratic form's symmetric
/// output, as `m_tm` and `cov` use it. Computed on plain values, recorded on variables.
pub(crate) fn sym_sum<'v, N, B>(d: Val<'v, Sym<N, B>>, factor: B::Real) -> Val<'v, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    d.map(
        |d| {
            let (d, n) = (d.data(), d.size());
            L::wrap(B::mat_from_fn(n, n, |i, j| {
                factor * (B::mat_get(d, i, j) + B::mat_get(d, j, i))
            }))
        },
        |d| {
            let d = un_sym(d);
            scale(d.tape().constant(factor), d + tr(d))
        },
    )
}

/// The sum of all entries (hmatrix's `sumElements`), of a vector or matrix.
///
/// Gradient: `X̄ = s̄·1` (every entry gets `s̄`).
pub fn sum_elements<'t, B, T>(x: BVar<'t, T>) -> BVar<'t, B::Real>
where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
{
    let s = sum::<B, T>(x.value());
    rule1(x, s, |cx, ix, _, ds| {
        let x = cx.value(ix);
        match cx.first_order() {
            Some(ctx) => ctx.accumulate(
                ix,
                |g| add_to_entries::<B, T>(g, *ds.get()),
                || filled::<B, T>(x.get(), *ds.get()),
            ),
            None => pull_scale(cx, ix, &ds, &Val::Own(x.get().one())),
        }
    })
}

/// The trace `tr A = Σᵢ Aᵢᵢ` of a square matrix.
///
/// Gradient: `Ā = t̄·I`.
///
/// # Panics
/// As [`try_trace`].
#[track_caller]
pub fn trace<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_trace(a))
}

/// [`trace`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"trace"`) if `A` is not square (possible only for a
/// run-time `N`).
pub fn try_trace<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, B::Real>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let n = validate::square("trace", a.value().shape())?;
    let t = B::vec_sum(&B::mat_diag(a.value().data()));
    Ok(rule1(a, t, move |cx, ia, _, dt| {
        pull_scale(cx, ia, &dt, &Val::Own(L::wrap(B::mat_identity(n))));
    }))
}

/// The diagonal of a square matrix (hmatrix's `takeDiag`).
///
/// Gradient: `Ā = diag(ȳ)`, added onto the diagonal of `A`'s gradient in place.
///
/// # Panics
/// As [`try_take_diag`].
#[track_caller]
pub fn take_diag<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_take_diag(a))
}

/// [`take_diag`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"take_diag"`) if `A` is not square (possible only for a
/// run-time `N`).
pub fn try_take_diag<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let n = validate::square("take_diag", a.value().shape())?;
    let value = R::wrap(B::mat_diag(a.value().data()));
    Ok(rule1(a, value, move |cx, ia, _, dy| {
        match cx.first_order() {
            // In place onto the diagonal of an existing gradient.
            Some(ctx) => ctx.accumulate(
                ia,
                |g| {
                    let g = g.data_mut();
                    for i in 0..n {
                        let v = B::mat_get(g, i, i) + dy.get().get(i);
                        B::mat_set(g, i, i, v);
                    }
                },
                || L::wrap(B::mat_from_diag(dy.get().data())),
            ),
            None => cx.add(ia, diag_of(dy)),
        }
    }))
}

/// The `M×N` matrix with `v` on its diagonal and `c` everywhere else (hmatrix's `diagR`).
///
/// With `d = min(K, M, N)`: `Yᵢᵢ = vᵢ` for `i < d`, every other entry is `c`. So when `v` is
/// shorter than the diagonal (`K < min(M, N)`) the rest of the diagonal is `c`, and when it is
/// longer its entries past `min(M, N)` are not used (this is hmatrix's `diagRect`).
///
/// Gradient: `v̄ᵢ = Ȳᵢᵢ` for `i < d` and `0` for the unused entries; `c̄ = Σ Ȳ` over every cell
/// not holding an entry of `v`. hmatrix-backprop crashes when `K ≠ min(M, N)`. The output's
/// sizes are static (they come from nowhere else); `v`'s length may be a run-time one.
///
/// ```
/// use backprop_linalg::{eval_bp, diag_r, R, L, typenum::{U2, U3}};
/// let v: R<U2> = R::from_slice(&[1.0, 2.0]);
/// let y: L<U3, U3> = eval_bp(|v| diag_r(v.tape().constant(9.0), v), &v);
/// assert_eq!(y.to_row_major(), vec![1.0, 9.0, 9.0, 9.0, 2.0, 9.0, 9.0, 9.0, 9.0]);
/// ```
#[doc(alias = "diagR")]
pub fn diag_r<'t, M, N, K, B>(c: BVar<'t, B::Real>, v: BVar<'t, R<K, B>>) -> BVar<'t, L<M, N, B>>
where
    M: StaticDim,
    N: StaticDim,
    K: Dim,
    B: Backend,
{
    let d = v.value().len().min(M::SIZE).min(N::SIZE);
    let v_len = v.value().len();
    let on_diagonal = move |dy: &L<M, N, B>, i| if i < d { dy.get(i, i) } else { lit::<B>(0.0) };
    Linear::new(
        move |(c, v): &(B::Real, R<K, B>)| {
            L::from_fn(|i, j| if i == j && i < d { v.get(i) } else { *c })
        },
        move |dy: &L<M, N, B>| {
            let diagonal: B::Real = (0..d).map(|i| on_diagonal(dy, i)).sum();
            (
                sum::<B, _>(dy) - diagonal,
                R::build(v_len, |i| on_diagonal(dy, i)),
            )
        },
    )
    .record((c, v).join())
}
