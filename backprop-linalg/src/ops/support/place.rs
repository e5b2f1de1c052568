//! Recording helpers for the structural ops (vectors, matrices, conversions, maps): gathering
//! many variables into one value, cutting one value into parts, and the entries of a vector or
//! matrix as scalar variables.

use backprop_core::{BVar, Backprop, Tape, VarId};

use crate::backend::{Backend, LinalgError};
use crate::dense::{Dense, StorageKind};

/// Records `value`, assembled from the pieces `vars`: its pullback gives piece `i` the
/// cotangent `piece(&ȳ, i)` (skipped for constant pieces).
pub(crate) fn record_gather<'t, P: Backprop, C: Backprop>(
    tape: &'t Tape<'t>,
    vars: &[BVar<'t, P>],
    value: C,
    piece: impl Fn(&C, usize) -> P + 'static,
) -> BVar<'t, C> {
    let ids: Vec<VarId<P>> = vars.iter().map(BVar::id).collect();
    let requires_grad = vars.iter().any(BVar::requires_grad);
    tape.record(value, requires_grad, move |ctx, _, dy| {
        for (i, id) in ids.into_iter().enumerate() {
            if ctx.wants(id) {
                ctx.add(id, piece(&dy, i));
            }
        }
    })
}

/// The tape of `vars` when there are exactly `expected` of them.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when the count differs, or when there is no
/// variable to find the tape from.
pub(crate) fn gathered_tape<'t, P>(
    op: &'static str,
    vars: &[BVar<'t, P>],
    expected: usize,
    what: &str,
) -> Result<&'t Tape<'t>, LinalgError> {
    let mismatch = |expected: String| LinalgError::ShapeMismatch {
        op,
        expected,
        found: format!("{} {what}", vars.len()),
    };
    if vars.len() != expected {
        return Err(mismatch(format!("{expected} {what}")));
    }
    vars.first()
        .map(BVar::tape)
        .ok_or_else(|| mismatch(format!("at least one of the {what}, to find the tape from")))
}

/// The entries of a vector or matrix variable as scalar variables, row-major (one node for the
/// entries, and one per entry; their cotangents are gathered back into one gradient).
pub(crate) fn scalars<'t, B, T>(x: BVar<'t, T>) -> Vec<BVar<'t, B::Real>>
where
    B: Backend,
    T: Dense<B, B::Real> + Backprop,
{
    let entries = crate::dense::entries::<B, T>(x.value());
    super::record::record1(x, entries, |ctx, ix, _, g: Vec<B::Real>| {
        let like = ctx.value(ix).data();
        ctx.add(ix, T::wrap(T::Kind::from_fn_like(like, |k| g[k])));
    })
    .split()
}

/// A value shaped like `like` whose row-major entry `k` is `vars[k]`, recorded from the scalar
/// variables `vars` (which must be as many as `like` has entries).
pub(crate) fn from_scalars<'t, B, T>(
    tape: &'t Tape<'t>,
    vars: &[BVar<'t, B::Real>],
    like: &T,
) -> BVar<'t, T>
where
    B: Backend,
    T: Dense<B, B::Real> + Backprop,
{
    debug_assert_eq!(vars.len(), T::Kind::len(like.data()));
    let value = T::wrap(T::Kind::from_fn_like(like.data(), |k| *vars[k].value()));
    record_gather(tape, vars, value, |dy: &T, k| T::Kind::get(dy.data(), k))
}

/// Records `value = x ⧺ y` (a concatenation): its pullback cuts the cotangent in two with `cut`
/// and hands each part to its input.
pub(crate) fn record_concat<'t, X, Y, C>(
    x: BVar<'t, X>,
    y: BVar<'t, Y>,
    value: C,
    cut: impl FnOnce(&C) -> (X, Y) + 'static,
) -> BVar<'t, C>
where
    X: Backprop,
    Y: Backprop,
    C: Backprop,
{
    super::record::record2(x, y, value, |ctx, ix, iy, _, dy| {
        let (dx, dyy) = cut(&dy);
        ctx.add(ix, dx);
        ctx.add(iy, dyy);
    })
}

/// Records `parts`, the pieces of `x` as one variable (to be taken apart with
/// [`BVar::split`]): its pullback puts the parts' cotangents back together with `join` (a part
/// that received none contributes zero).
pub(crate) fn record_parts<'t, X, P>(
    x: BVar<'t, X>,
    parts: P,
    join: impl FnOnce(P) -> X + 'static,
) -> BVar<'t, P>
where
    X: Backprop,
    P: Backprop,
{
    super::record::record1(x, parts, |ctx, ix, _, dparts| ctx.add(ix, join(dparts)))
}
