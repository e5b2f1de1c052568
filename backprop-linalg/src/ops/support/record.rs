//! Recording helpers shared by the ops: one place that wires values, ids and `requires_grad`.

use std::borrow::Cow;

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
// under differentiation. For complex scalars the rules are adjoints under the real inner
// product `Re tr(Aᴴ·B)` (the crate's convention, see `ops::complex`): the transpose of a part
// becomes its adjoint `ᴴ` and the outer product conjugates its second factor (`x·yᴴ`, which for
// real scalars is `x·yᵀ`). A complex operand is `op(A) = A` or `Aᴴ`, never a plain `Aᵀ`, whose
// adjoint would need a conjugated operand that no product flag gives.

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

/// The flag of `op(A)`'s adjoint `op(A)ᴴ` as an operand of a product: `Aᴴ` for `op(A) = A`
/// (spelt `Aᵀ` for real scalars, which every backend multiplies without a copy), and `A` for
/// `Aᵀ` or `Aᴴ`. A complex `Aᵀ` has no such flag (its adjoint is `conj(A)`); no rule asks for
/// it.
pub(crate) fn flip<S: Scalar>(t: Transpose) -> Transpose {
    match t {
        Transpose::No => adjoint::<S>(),
        Transpose::Yes => {
            debug_assert!(!S::IS_COMPLEX, "a complex Aᵀ has no adjoint flag");
            Transpose::No
        }
        Transpose::Adjoint => Transpose::No,
    }
}

/// The flag of `Aᴴ`: `Yes` for real scalars (equal, and the one every backend multiplies
/// without a copy), `Adjoint` for complex ones.
pub(crate) fn adjoint<S: Scalar>() -> Transpose {
    if S::IS_COMPLEX {
        Transpose::Adjoint
    } else {
        Transpose::Yes
    }
}

/// Panics for a complex `Aᵀ` operand of a recorded product (see the section's comment).
fn no_complex_transpose<S: Scalar>(t: Transpose) {
    assert!(
        !(S::IS_COMPLEX && t == Transpose::Yes),
        "a recorded complex product takes A or Aᴴ, never Aᵀ"
    );
}

/// The entry-wise conjugate of a vector: borrowed for real scalars (no copy).
fn conj_vector<S: Scalar, B: LinalgBackend<S>>(x: &B::Vector) -> Cow<'_, B::Vector> {
    if S::IS_COMPLEX {
        Cow::Owned(B::vec_map(x, |v| v.conj()))
    } else {
        Cow::Borrowed(x)
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

/// `C = op(A)·op(B)`, recorded. Gradient: `op(A)`'s is `C̄·op(B)ᴴ` and `op(B)`'s is
/// `op(A)ᴴ·C̄`; an adjoint (or real transposed) operand takes the adjoint of its part.
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
    no_complex_transpose::<S>(ta);
    no_complex_transpose::<S>(tb);
    let c = products::matmul::<S, B>(a.value().data(), ta, b.value().data(), tb);
    rule2(a, b, T::wrap(sized(c)), move |cx, ia, ib, _, dc| {
        let (a, b) = (cx.value(ia), cx.value(ib));
        match ta {
            Transpose::No => pull_product(cx, ia, &dc, Transpose::No, &b, flip::<S>(tb)),
            _ => pull_product(cx, ia, &b, tb, &dc, adjoint::<S>()),
        }
        match tb {
            Transpose::No => pull_product(cx, ib, &a, flip::<S>(ta), &dc, Transpose::No),
            _ => pull_product(cx, ib, &dc, adjoint::<S>(), &a, ta),
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

/// `op(a)·x` as a quantity of a rule: computed on plain values, recorded on variables.
pub(crate) fn matvec<'v, S, B, T, X, V>(a: &Val<'v, X>, ta: Transpose, x: &Val<'v, V>) -> Val<'v, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = VecKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    V: Dense<B, S, Kind = VecKind> + Backprop,
{
    match a.tape().or(x.tape()) {
        Some(tape) => Val::Var(matvec_var::<S, B, X, V, T>(
            a.to_var(tape),
            ta,
            x.to_var(tape),
        )),
        None => {
            let y = products::matvec::<S, B>(a.get().data(), ta, x.get().data());
            Val::Own(T::wrap(sized(y)))
        }
    }
}

/// `y = op(A)·x`, recorded. Gradient: `op(A)`'s is `ȳ·xᴴ`, `x̄ = op(A)ᴴ·ȳ`.
fn matvec_var<'t, S, B, X, V, T>(a: BVar<'t, X>, ta: Transpose, x: BVar<'t, V>) -> BVar<'t, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = VecKind> + Backprop,
    X: Dense<B, S, Kind = MatKind> + Backprop,
    V: Dense<B, S, Kind = VecKind> + Backprop,
{
    no_complex_transpose::<S>(ta);
    let y = products::matvec::<S, B>(a.value().data(), ta, x.value().data());
    rule2(a, x, T::wrap(sized(y)), move |cx, ia, ix, _, dy| {
        let (a, x) = (cx.value(ia), cx.value(ix));
        match ta {
            Transpose::No => pull_outer(cx, ia, &dy, &x),
            _ => pull_outer(cx, ia, &x, &dy),
        }
        pull_matvec(cx, ix, &a, flip::<S>(ta), &dy);
    })
}

/// Adds `x·yᴴ` (`x·yᵀ` for real scalars) to the gradient of the matrix-valued `id`
/// ([`add_outer`] in a first-order pass).
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
        let y = conj_vector::<S, B>(y.get().data());
        return add_outer::<S, B, T>(ctx, id, S::one(), x.get().data(), &y);
    }
    if cx.wants(id) {
        let tape = recording_tape(cx);
        let a = outer_var::<S, B, X, Y, T>(x.to_var(tape), y.to_var(tape));
        cx.add(id, Val::Var(a));
    }
}

/// `A = x·yᴴ`, recorded. Gradient: `x̄ = Ā·y`, `ȳ = Āᴴ·x`.
fn outer_var<'t, S, B, X, Y, T>(x: BVar<'t, X>, y: BVar<'t, Y>) -> BVar<'t, T>
where
    S: Scalar,
    B: LinalgBackend<S>,
    T: Dense<B, S, Kind = MatKind> + Backprop,
    X: Dense<B, S, Kind = VecKind> + Backprop,
    Y: Dense<B, S, Kind = VecKind> + Backprop,
{
    let yc = conj_vector::<S, B>(y.value().data());
    let a = products::outer::<S, B>(S::one(), x.value().data(), &yc);
    rule2(x, y, T::wrap(a), |cx, ix, iy, _, da| {
        let (x, y) = (cx.value(ix), cx.value(iy));
        pull_matvec(cx, ix, &da, Transpose::No, &y);
        pull_matvec(cx, iy, &da, adjoint::<S>(), &x);
    })
}
