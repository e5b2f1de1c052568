//! Products: [`mul`] (`<>`), [`app`] (`#>`), [`dot`] (`<.>`), [`outer`], [`cross`], [`scale`], and the
//! affine layers of a network ([`affine`], [`affine_cols`], [`add_to_cols`], in `affine.rs`).

mod affine;

pub use affine::{add_to_cols, affine, affine_cols, try_add_to_cols, try_affine, try_affine_cols};

use crate::dim::Dim;
use backprop_backend::Transpose;
use backprop_core::{BVar, Floating, Pull, Val, VarId};
use typenum::U3;

use crate::backend::{Backend, LinalgError, lit, or_fail};
use crate::dense::{Construct, Dense, StorageKind, map};
use crate::ops::structure::sum_elements;
use crate::ops::support::products;
use crate::ops::support::record::{add_scaled, pull_matvec, pull_outer, pull_product, rule2};
use crate::{L, R};

use Transpose::{No, Yes};

/// The matrix product `C = A·B` (hmatrix's `<>`).
///
/// Gradient: `Ā = C̄·Bᵀ`, `B̄ = Aᵀ·C̄` (GEMM with transpose flags, accumulated in place).
///
/// # Panics
/// As [`try_mul`].
#[track_caller]
pub fn mul<'t, M, K, N, B>(a: BVar<'t, L<M, K, B>>, b: BVar<'t, L<K, N, B>>) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    K: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_mul(a, b))
}

/// [`mul`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"mul"`) if `A`'s number of columns is not `B`'s number
/// of rows (possible only for a run-time `K`).
pub fn try_mul<'t, M, K, N, B>(
    a: BVar<'t, L<M, K, B>>,
    b: BVar<'t, L<K, N, B>>,
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    K: Dim,
    N: Dim,
    B: Backend,
{
    let c = products::matmul::<B::Real, B>(a.value().data(), No, b.value().data(), No)
        .map_err(|e| e.with_op("mul"))?;
    Ok(rule2(a, b, L::wrap(c), |cx, ia, ib, _, dc| {
        let (a, b) = (cx.value(ia), cx.value(ib));
        pull_product(cx, ia, &dc, No, &b, Yes);
        pull_product(cx, ib, &a, Yes, &dc, No);
    }))
}

/// The matrix-vector product `y = A·x` (hmatrix's `#>`).
///
/// Gradient: `Ā = ȳ·xᵀ`, `x̄ = Aᵀ·ȳ`.
///
/// # Panics
/// As [`try_app`].
#[track_caller]
pub fn app<'t, M, N, B>(a: BVar<'t, L<M, N, B>>, x: BVar<'t, R<N, B>>) -> BVar<'t, R<M, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_app(a, x))
}

/// [`app`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"app"`) if `x`'s length is not `A`'s number of columns
/// (possible only for a run-time `N`).
pub fn try_app<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
    x: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<M, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let y = products::matvec::<B::Real, B>(a.value().data(), No, x.value().data())
        .map_err(|e| e.with_op("app"))?;
    Ok(rule2(a, x, R::wrap(y), |cx, ia, ix, _, dy| {
        let (a, x) = (cx.value(ia), cx.value(ix));
        pull_outer(cx, ia, &dy, &x);
        pull_matvec(cx, ix, &a, Yes, &dy);
    }))
}

/// The dot product `s = x·y` (hmatrix's `<.>`).
///
/// Gradient: `x̄ = s̄·y`, `ȳ = s̄·x`.
///
/// # Panics
/// As [`try_dot`].
#[track_caller]
pub fn dot<'t, N, B>(x: BVar<'t, R<N, B>>, y: BVar<'t, R<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_dot(x, y))
}

/// [`dot`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"dot"`) if the lengths differ (possible only for a
/// run-time `N`).
pub fn try_dot<'t, N, B>(
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, B::Real>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let s = B::vec_dot(x.value().data(), y.value().data()).map_err(|e| e.with_op("dot"))?;
    Ok(rule2(x, y, s, |cx, ix, iy, _, ds| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        pull_scale(cx, ix, &ds, &y);
        pull_scale(cx, iy, &ds, &x);
    }))
}

/// The outer product `A = x·yᵀ`.
///
/// Gradient: `x̄ = Ā·y`, `ȳ = Āᵀ·x`.
pub fn outer<'t, M, N, B>(x: BVar<'t, R<M, B>>, y: BVar<'t, R<N, B>>) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let a = L::wrap(products::outer::<B::Real, B>(
        lit::<B>(1.0),
        x.value().data(),
        y.value().data(),
    ));
    rule2(x, y, a, |cx, ix, iy, _, da| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        pull_matvec(cx, ix, &da, No, &y);
        pull_matvec(cx, iy, &da, Yes, &x);
    })
}

/// The product `Y = s·X` of a scalar variable and a vector or matrix (hmatrix spells it
/// `konst s * x`, which needs the shape in the type; this works for every size).
///
/// Gradient: `X̄ = s·Ȳ`, `s̄ = ⟨Ȳ, X⟩ = Σᵢⱼ Ȳᵢⱼ·Xᵢⱼ`.
///
/// ```
/// use backprop_linalg::{grad_bp2, scale, sum_elements, Matrix};
/// let a: Matrix = Matrix::from_row_major_shape(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let (gs, ga) = grad_bp2(|s, a| sum_elements(scale(s, a)), &2.0, &a);
/// assert_eq!(gs, 10.0);
/// assert_eq!(ga, Matrix::konst_shape(2, 2, 2.0));
/// ```
pub fn scale<'t, B, T>(s: BVar<'t, B::Real>, x: BVar<'t, T>) -> BVar<'t, T>
where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
{
    let sv = *s.value();
    let y = map::<B, T>(x.value(), |v| sv * v);
    rule2(s, x, y, move |cx, is, ix, _, dy| {
        let (s, x) = (cx.value(is), cx.value(ix));
        if cx.wants(is) {
            let inner = inner::<B, T>(&dy, &x);
            cx.add(is, inner);
        }
        pull_scale(cx, ix, &s, &dy);
    })
}

/// `⟨a, b⟩ = Σᵢⱼ aᵢⱼ·bᵢⱼ` of two quantities of a rule (recorded as `sum_elements(a ∘ b)`).
pub(crate) fn inner<'v, B, T>(a: &Val<'v, T>, b: &Val<'v, T>) -> Val<'v, B::Real>
where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
{
    match a.tape().or(b.tape()) {
        Some(tape) => Val::Var(sum_elements(a.to_var(tape) * b.to_var(tape))),
        None => {
            let (a, b) = (a.get().data(), b.get().data());
            Val::Own(
                (0..T::Kind::len(a))
                    .map(|k| T::Kind::get(a, k) * T::Kind::get(b, k))
                    .sum(),
            )
        }
    }
}

/// Adds `s·x` to the gradient of `id` for a scalar quantity `s` ([`add_scaled`] in place in a
/// first-order pass, [`scale`] recorded).
pub(crate) fn pull_scale<'v, B, T>(
    cx: &mut Pull<'_, 'v>,
    id: VarId<T>,
    s: &Val<'v, B::Real>,
    x: &Val<'v, T>,
) where
    B: Backend,
    T: Dense<B, B::Real> + Floating,
{
    if let Some(ctx) = cx.first_order() {
        return add_scaled(ctx, id, *s.get(), x.get());
    }
    if cx.wants(id) {
        let tape = cx
            .tape()
            .expect("a pass without a first-order context is recorded");
        cx.add(id, Val::Var(scale(s.to_var(tape), x.to_var(tape))));
    }
}

fn cross3<B: Backend>(x: &R<U3, B>, y: &R<U3, B>) -> R<U3, B> {
    let (a, b) = (x.to_vec(), y.to_vec());
    R::from_slice(&[
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ])
}

/// The cross product `z = x × y` of 3-vectors.
///
/// Gradient: `x̄ = y × z̄`, `ȳ = z̄ × x`.
pub fn cross<'t, B: Backend>(x: BVar<'t, R<U3, B>>, y: BVar<'t, R<U3, B>>) -> BVar<'t, R<U3, B>> {
    let z = cross3(x.value(), y.value());
    rule2(x, y, z, |cx, ix, iy, _, dz| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        if cx.wants(ix) {
            let dx = cross_of(&y, &dz);
            cx.add(ix, dx);
        }
        if cx.wants(iy) {
            let dy = cross_of(&dz, &x);
            cx.add(iy, dy);
        }
    })
}

/// `x × y` of two quantities of a rule: computed on plain values, recorded on variables.
fn cross_of<'v, B: Backend>(x: &Val<'v, R<U3, B>>, y: &Val<'v, R<U3, B>>) -> Val<'v, R<U3, B>> {
    match x.tape().or(y.tape()) {
        Some(tape) => Val::Var(cross(x.to_var(tape), y.to_var(tape))),
        None => Val::Own(cross3(x.get(), y.get())),
    }
}
