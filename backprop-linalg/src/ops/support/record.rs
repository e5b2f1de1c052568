//! Recording helpers shared by the ops: one place that wires values, ids and `requires_grad`.

use backprop_backend::Transpose;
use backprop_core::{BVar, Backprop, Backward, VarId};

use crate::backend::{Backend, RealMatrix, RealVector, sized};
use crate::dense::{Dense, MatKind, VecKind};

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

/// Adds `op(a)·op(b)` to the gradient of the matrix-valued `id`, in place when a gradient
/// already exists (GEMM with β = 1), never materialising a transpose.
pub(crate) fn add_product<B: Backend, T: Dense<B, Kind = MatKind> + Backprop>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    a: &RealMatrix<B>,
    ta: Transpose,
    b: &RealMatrix<B>,
    tb: Transpose,
) {
    ctx.accumulate(
        id,
        |g| sized(B::gemm(g.data_mut(), 1.0, a, ta, b, tb, 1.0)),
        || T::wrap(sized(B::matmul(a, ta, b, tb))),
    );
}

/// Adds `op(a)·x` to the gradient of the vector-valued `id`, in place when one exists.
pub(crate) fn add_matvec<B: Backend, T: Dense<B, Kind = VecKind> + Backprop>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    a: &RealMatrix<B>,
    ta: Transpose,
    x: &RealVector<B>,
) {
    ctx.accumulate(
        id,
        |g| sized(B::gemv(g.data_mut(), 1.0, a, ta, x, 1.0)),
        || T::wrap(sized(B::matvec(a, ta, x))),
    );
}

/// Adds `alpha·x·yᵀ` to the gradient of the matrix-valued `id`, in place when one exists.
pub(crate) fn add_outer<B: Backend, T: Dense<B, Kind = MatKind> + Backprop>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    alpha: f64,
    x: &RealVector<B>,
    y: &RealVector<B>,
) {
    ctx.accumulate(
        id,
        |g| sized(B::ger(g.data_mut(), alpha, x, y)),
        || {
            let xy = B::outer(x, y);
            T::wrap(if alpha == 1.0 {
                xy
            } else {
                B::mat_scale(&xy, alpha)
            })
        },
    );
}

/// Adds `alpha·x` to the gradient of `id`, in place when one exists.
pub(crate) fn add_scaled<B: Backend, T: Dense<B> + Backprop>(
    ctx: &mut Backward<'_>,
    id: VarId<T>,
    alpha: f64,
    x: &T,
) {
    ctx.accumulate(
        id,
        |g| crate::dense::axpy::<B, T>(g, alpha, x),
        || crate::dense::map::<B, T>(x, |v| alpha * v),
    );
}
