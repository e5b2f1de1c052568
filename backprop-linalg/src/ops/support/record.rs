//! Recording helpers shared by the ops: one place that wires values, ids and `requires_grad`.

use backprop_backend::Transpose;
use backprop_core::{BVar, Backprop, Backward, VarId};

use backprop_backend::{LinalgBackend, Scalar};

use crate::backend::sized;
use crate::dense::{Dense, MatKind, VecKind, any};
use crate::ops::support::products;

/// Records `value = f(x)` with a pullback given `x`'s id.
pub(crate) fn record1<'t, A: Backprop, C: Backprop>(
    x: BVar<'t, A>,
    value: C,
    pullback: impl FnOnce(&mut Backward<'_>, VarId<A>, &C, C) + 'static,
) -> BVar<'t, C> {
    let id = x.id();
    x.tape()
        .record(value, x.requires_grad(), move |ctx, out, dy| {
            pullback(ctx, id, out, dy)
        })
}

/// Records `value = f(x, y)` with a pullback given both ids.
pub(crate) fn record2<'t, A: Backprop, B2: Backprop, C: Backprop>(
    x: BVar<'t, A>,
    y: BVar<'t, B2>,
    value: C,
    pullback: impl FnOnce(&mut Backward<'_>, VarId<A>, VarId<B2>, &C, C) + 'static,
) -> BVar<'t, C> {
    let (a, b) = (x.id(), y.id());
    let requires_grad = x.requires_grad() || y.requires_grad();
    x.tape().record(value, requires_grad, move |ctx, out, dy| {
        pullback(ctx, a, b, out, dy)
    })
}

/// Records `value = f(x, y, z)` with a pullback given the three ids.
pub(crate) fn record3<'t, A: Backprop, B2: Backprop, B3: Backprop, C: Backprop>(
    x: BVar<'t, A>,
    y: BVar<'t, B2>,
    z: BVar<'t, B3>,
    value: C,
    pullback: impl FnOnce(&mut Backward<'_>, (VarId<A>, VarId<B2>, VarId<B3>), C) + 'static,
) -> BVar<'t, C> {
    let ids = (x.id(), y.id(), z.id());
    let requires_grad = x.requires_grad() || y.requires_grad() || z.requires_grad();
    x.tape().record(value, requires_grad, move |ctx, _, dy| {
        pullback(ctx, ids, dy)
    })
}

// The accumulation helpers below serve every scalar (`f64`, `f32`, and their complex forms):
// `S` is the scalar of `T`'s storage and `B` the backend storing it.

/// Adds `op(a)·op(b)` to the gradient of the matrix-valued `id`, in place when a gradient
/// already exists (GEMM with β = 1), else written into storage from the pool (β = 0), never
/// materialising a transpose.
pub(crate) fn add_product<S, B, T>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    a: &B::Matrix,
    ta: Transpose,
    b: &B::Matrix,
    tb: Transpose,
) where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
{
    ctx.accumulate(
        id,
        |g| sized(B::gemm(g.data_mut(), S::one(), a, ta, b, tb, S::one())),
        || T::wrap(sized(products::matmul::<S, B>(a, ta, b, tb))),
    );
}

/// Adds `op(a)·x` to the gradient of the vector-valued `id`, in place when one exists.
pub(crate) fn add_matvec<S, B, T>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    a: &B::Matrix,
    ta: Transpose,
    x: &B::Vector,
) where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = VecKind> + Backprop,
{
    ctx.accumulate(
        id,
        |g| sized(B::gemv(g.data_mut(), S::one(), a, ta, x, S::one())),
        || T::wrap(sized(products::matvec::<S, B>(a, ta, x))),
    );
}

/// Adds `alpha·x·yᵀ` to the gradient of the matrix-valued `id`, in place when one exists.
pub(crate) fn add_outer<S, B, T>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    alpha: S,
    x: &B::Vector,
    y: &B::Vector,
) where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
{
    ctx.accumulate(
        id,
        |g| sized(B::ger(g.data_mut(), alpha, x, y, S::one())),
        || T::wrap(products::outer::<S, B>(alpha, x, y)),
    );
}

/// Adds `alpha·x` to the gradient of `id`, in place when one exists.
pub(crate) fn add_scaled<S, B, T>(ctx: &mut Backward<'_>, id: VarId<T>, alpha: S, x: &T)
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S> + Backprop,
{
    ctx.accumulate(
        id,
        |g| any::axpy::<S, B, T>(g, alpha, x),
        || any::map::<S, B, T>(x, |v| alpha * v),
    );
}
