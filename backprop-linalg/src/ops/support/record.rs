//! Recording helpers shared by the ops: one place that wires values, ids and `requires_grad`.

use backprop_backend::Transpose;
use backprop_core::{BVar, Backprop, Backward, Pull, Tape, Val, VarId};

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

// ----- Rules written once (see `backprop_core::Pull`) -----
//
// The helpers below serve rules recorded with `Tape::record_rule`: each takes its operands as
// `Val`s. In a first-order pass it runs the accumulator above on the plain values (in place
// where a gradient exists); while the backward pass is recorded it computes its term with a
// differentiable operation and adds that. The products' own operations (`product_var`,
// `matvec_var`, `outer_var`) state their rules with the same helpers, so the family is closed
// under differentiation. Real scalars only, for now: the complex forms' conjugations are not
// yet written this way.

/// Records `value = f(x)` with a rule given `x`'s id.
pub(crate) fn rule1<'t, A: Backprop, C: Backprop>(
    x: BVar<'t, A>,
    value: C,
    rule: impl for<'p, 'v> Fn(&mut Pull<'p, 'v>, VarId<A>, Val<'v, C>, Val<'v, C>) + 'static,
) -> BVar<'t, C> {
    let id = x.id();
    x.tape()
        .record_rule(value, x.requires_grad(), move |cx, out, dy| {
            rule(cx, id, out, dy)
        })
}

/// Records `value = f(x, y)` with a rule given both ids.
pub(crate) fn rule2<'t, A: Backprop, B2: Backprop, C: Backprop>(
    x: BVar<'t, A>,
    y: BVar<'t, B2>,
    value: C,
    rule: impl for<'p, 'v> Fn(&mut Pull<'p, 'v>, VarId<A>, VarId<B2>, Val<'v, C>, Val<'v, C>) + 'static,
) -> BVar<'t, C> {
    let (a, b) = (x.id(), y.id());
    let requires_grad = x.requires_grad() || y.requires_grad();
    x.tape()
        .record_rule(value, requires_grad, move |cx, out, dy| {
            rule(cx, a, b, out, dy)
        })
}

/// Records `value = f(x, y, z)` with a rule given the three ids.
pub(crate) fn rule3<'t, A: Backprop, B2: Backprop, B3: Backprop, C: Backprop>(
    x: BVar<'t, A>,
    y: BVar<'t, B2>,
    z: BVar<'t, B3>,
    value: C,
    rule: impl for<'p, 'v> Fn(
        &mut Pull<'p, 'v>,
        (VarId<A>, VarId<B2>, VarId<B3>),
        Val<'v, C>,
        Val<'v, C>,
    ) + 'static,
) -> BVar<'t, C> {
    let ids = (x.id(), y.id(), z.id());
    let requires_grad = x.requires_grad() || y.requires_grad() || z.requires_grad();
    x.tape()
        .record_rule(value, requires_grad, move |cx, out, dy| {
            rule(cx, ids, out, dy)
        })
}

/// The tape of a recorded pass, for a helper that found no first-order context.
fn recording_tape<'v>(cx: &Pull<'_, 'v>) -> &'v Tape<'v> {
    cx.tape()
        .expect("a pass without a first-order context is recorded")
}

/// Panics for a complex scalar in a recorded pass (see the section's comment).
fn real_only<S: Scalar>() {
    assert!(
        !S::IS_COMPLEX,
        "the second order through complex products is not supported yet"
    );
}

/// The transpose flag of `op(A)ᵀ` for real matrices.
pub(crate) fn flip(t: Transpose) -> Transpose {
    match t {
        Transpose::No => Transpose::Yes,
        Transpose::Yes | Transpose::Adjoint => Transpose::No,
    }
}

/// Adds `op(a)·op(b)` to the gradient of the matrix-valued `id` ([`add_product`] in a
/// first-order pass).
pub(crate) fn pull_product<'v, S, B, T, X, Y>(
    cx: &mut Pull<'_, 'v>,
    id: VarId<T>,
    a: &Val<'v, X>,
    ta: Transpose,
    b: &Val<'v, Y>,
    tb: Transpose,
) where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    Y: Dense<B, S, Kind = MatKind> + Backprop,
{
    if let Some(ctx) = cx.first_order() {
        return add_product::<S, B, T>(ctx, id, a.get().data(), ta, b.get().data(), tb);
    }
    if cx.wants(id) {
        let tape = recording_tape(cx);
        let p = product_var::<S, B, X, Y, T>(a.to_var(tape), ta, b.to_var(tape), tb);
        cx.add(id, Val::Var(p));
    }
}

/// `op(a)·op(b)` as a quantity of a rule: computed on plain values, recorded on variables.
pub(crate) fn product<'v, S, B, T, X, Y>(
    a: &Val<'v, X>,
    ta: Transpose,
    b: &Val<'v, Y>,
    tb: Transpose,
) -> Val<'v, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    Y: Dense<B, S, Kind = MatKind> + Backprop,
{
    match a.tape().or(b.tape()) {
        Some(tape) => Val::Var(product_var::<S, B, X, Y, T>(
            a.to_var(tape),
            ta,
            b.to_var(tape),
            tb,
        )),
        None => {
            let c = products::matmul::<S, B>(a.get().data(), ta, b.get().data(), tb);
            Val::Own(T::wrap(sized(c)))
        }
    }
}

/// `C = op(A)·op(B)`, recorded. Gradient: `op(A)`'s is `C̄·op(B)ᵀ` and `op(B)`'s is
/// `op(A)ᵀ·C̄`; a transposed operand takes the transpose of its part.
fn product_var<'t, S, B, X, Y, T>(
    a: BVar<'t, X>,
    ta: Transpose,
    b: BVar<'t, Y>,
    tb: Transpose,
) -> BVar<'t, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    Y: Dense<B, S, Kind = MatKind> + Backprop,
{
    real_only::<S>();
    let c = products::matmul::<S, B>(a.value().data(), ta, b.value().data(), tb);
    rule2(a, b, T::wrap(sized(c)), move |cx, ia, ib, _, dc| {
        let (a, b) = (cx.value(ia), cx.value(ib));
        match ta {
            Transpose::No => pull_product(cx, ia, &dc, Transpose::No, &b, flip(tb)),
            _ => pull_product(cx, ia, &b, tb, &dc, Transpose::Yes),
        }
        match tb {
            Transpose::No => pull_product(cx, ib, &a, flip(ta), &dc, Transpose::No),
            _ => pull_product(cx, ib, &dc, Transpose::Yes, &a, ta),
        }
    })
}

/// Adds `op(a)·x` to the gradient of the vector-valued `id` ([`add_matvec`] in a first-order
/// pass).
pub(crate) fn pull_matvec<'v, S, B, T, X, V>(
    cx: &mut Pull<'_, 'v>,
    id: VarId<T>,
    a: &Val<'v, X>,
    ta: Transpose,
    x: &Val<'v, V>,
) where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = VecKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    V: Dense<B, S, Kind = VecKind> + Backprop,
{
    if let Some(ctx) = cx.first_order() {
        return add_matvec::<S, B, T>(ctx, id, a.get().data(), ta, x.get().data());
    }
    if cx.wants(id) {
        let tape = recording_tape(cx);
        let y = matvec_var::<S, B, X, V, T>(a.to_var(tape), ta, x.to_var(tape));
        cx.add(id, Val::Var(y));
    }
}

/// `y = op(A)·x`, recorded. Gradient: `op(A)`'s is `ȳ·xᵀ`, `x̄ = op(A)ᵀ·ȳ`.
fn matvec_var<'t, S, B, X, V, T>(a: BVar<'t, X>, ta: Transpose, x: BVar<'t, V>) -> BVar<'t, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = VecKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    V: Dense<B, S, Kind = VecKind> + Backprop,
{
    real_only::<S>();
    let y = products::matvec::<S, B>(a.value().data(), ta, x.value().data());
    rule2(a, x, T::wrap(sized(y)), move |cx, ia, ix, _, dy| {
        let (a, x) = (cx.value(ia), cx.value(ix));
        match ta {
            Transpose::No => pull_outer(cx, ia, &dy, &x),
            _ => pull_outer(cx, ia, &x, &dy),
        }
        pull_matvec(cx, ix, &a, flip(ta), &dy);
    })
}

/// Adds `x·yᵀ` to the gradient of the matrix-valued `id` ([`add_outer`] in a first-order
/// pass).
pub(crate) fn pull_outer<'v, S, B, T, X, Y>(
    cx: &mut Pull<'_, 'v>,
    id: VarId<T>,
    x: &Val<'v, X>,
    y: &Val<'v, Y>,
) where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
    X: Dense<B, S, Kind = VecKind> + Backprop,
    Y: Dense<B, S, Kind = VecKind> + Backprop,
{
    if let Some(ctx) = cx.first_order() {
        return add_outer::<S, B, T>(ctx, id, S::one(), x.get().data(), y.get().data());
    }
    if cx.wants(id) {
        let tape = recording_tape(cx);
        let a = outer_var::<S, B, X, Y, T>(x.to_var(tape), y.to_var(tape));
        cx.add(id, Val::Var(a));
    }
}

/// `A = x·yᵀ`, recorded. Gradient: `x̄ = Ā·y`, `ȳ = Āᵀ·x`.
fn outer_var<'t, S, B, X, Y, T>(x: BVar<'t, X>, y: BVar<'t, Y>) -> BVar<'t, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
    X: Dense<B, S, Kind = VecKind> + Backprop,
    Y: Dense<B, S, Kind = VecKind> + Backprop,
{
    real_only::<S>();
    let a = products::outer::<S, B>(S::one(), x.value().data(), y.value().data());
    rule2(x, y, T::wrap(a), |cx, ix, iy, _, da| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        pull_matvec(cx, ix, &da, Transpose::No, &y);
        pull_matvec(cx, iy, &da, Transpose::Yes, &x);
    })
}
