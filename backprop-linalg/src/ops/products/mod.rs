//! Products: [`mul`] (`<>`), [`app`] (`#>`), [`dot`] (`<.>`), [`outer`], [`cross`], [`scale`], and the
//! affine layers of a network ([`affine`], [`affine_cols`], [`add_to_cols`], in `affine.rs`).

mod affine;

pub use affine::{add_to_cols, affine, affine_cols, try_add_to_cols, try_affine, try_affine_cols};

use crate::dim::Dim;
use backprop_backend::Transpose;
use backprop_core::{BVar, Backprop};
use typenum::U3;

use crate::backend::{Backend, LinalgError, lit, or_fail};
use crate::dense::{Construct, Dense, StorageKind, map};
use crate::ops::support::products;
use crate::ops::support::record::{add_matvec, add_outer, add_product, add_scaled, record2};
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
    Ok(record2(a, b, L::wrap(c), |ctx, ia, ib, _, dc| {
        let (a, b) = (ctx.value(ia), ctx.value(ib));
        if ctx.wants(ia) {
            add_product(ctx, ia, dc.data(), No, b.data(), Yes);
        }
        if ctx.wants(ib) {
            add_product(ctx, ib, a.data(), Yes, dc.data(), No);
        }
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
    Ok(record2(a, x, R::wrap(y), |ctx, ia, ix, _, dy| {
        let (a, x) = (ctx.value(ia), ctx.value(ix));
        if ctx.wants(ia) {
            add_outer(ctx, ia, lit::<B>(1.0), dy.data(), x.data());
        }
        if ctx.wants(ix) {
            add_matvec(ctx, ix, a.data(), Yes, dy.data());
        }
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
    Ok(record2(x, y, s, |ctx, ix, iy, _, ds| {
        let (x, y) = (ctx.value(ix), ctx.value(iy));
        add_scaled(ctx, ix, ds, y);
        add_scaled(ctx, iy, ds, x);
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
    record2(x, y, a, |ctx, ix, iy, _, da| {
        let (x, y) = (ctx.value(ix), ctx.value(iy));
        if ctx.wants(ix) {
            add_matvec(ctx, ix, da.data(), No, y.data());
        }
        if ctx.wants(iy) {
            add_matvec(ctx, iy, da.data(), Yes, x.data());
        }
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
    T: Dense<B, B::Real> + Backprop,
{
    let sv = *s.value();
    let y = map::<B, T>(x.value(), |v| sv * v);
    record2(s, x, y, move |ctx, is, ix, _, dy| {
        if ctx.wants(is) {
            let x = ctx.value(ix).data();
            let dy = dy.data();
            let inner: B::Real = (0..T::Kind::len(x))
                .map(|k| T::Kind::get(x, k) * T::Kind::get(dy, k))
                .sum();
            ctx.add(is, inner);
        }
        if ctx.wants(ix) {
            add_scaled(ctx, ix, sv, &dy);
        }
    })
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
    record2(x, y, z, |ctx, ix, iy, _, dz| {
        let (x, y) = (ctx.value(ix), ctx.value(iy));
        if ctx.wants(ix) {
            ctx.add(ix, cross3(y, &dz));
        }
        if ctx.wants(iy) {
            ctx.add(iy, cross3(&dz, x));
        }
    })
}
