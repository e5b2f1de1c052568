//! Recording helpers for the structural ops (vectors, matrices, conversions, maps): gathering
//! many variables into one value, cutting one value into parts, and the entries of a vector or
//! matrix as scalar variables. Each is a [`Linear`] map recorded with its adjoint, so every
//! structural op is differentiable to any order.

use backprop_core::{BVar, Backprop, Split, Tape};

use crate::backend::{Backend, LinalgError};
use crate::dense::{Dense, StorageKind};
use crate::ops::support::linear::Linear;
use crate::ops::support::record::rule2;

/// Records `assemble(parts)`, a value built linearly from the pieces `vars` (at least one):
/// piece `i` gets the cotangent `piece(&ȳ, i)` (skipped for constant pieces).
pub(crate) fn gather<'t, P: Backprop, C: Backprop>(
    vars: &[BVar<'t, P>],
    assemble: impl Fn(&[P]) -> C + 'static,
    piece: impl Fn(&C, usize) -> P + 'static,
) -> BVar<'t, C> {
    let n = vars.len();
    let parts = Vec::<P>::join(vars.to_vec());
    Linear::new(
        move |parts: &Vec<P>| assemble(parts),
        move |dy: &C| (0..n).map(|i| piece(dy, i)).collect(),
    )
    .record(parts)
}

/// Checks that there are exactly `expected` variables `vars`, and at least one (to find the tape
/// from).
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] naming `op` when the count differs, or when there is no
/// variable.
pub(crate) fn check_count<P>(
    op: &'static str,
    vars: &[BVar<'_, P>],
    expected: usize,
    what: &str,
) -> Result<(), LinalgError> {
    let mismatch = |expected: String| LinalgError::ShapeMismatch {
        op,
        expected,
        found: format!("{} {what}", vars.len()),
    };
    if vars.len() != expected {
        return Err(mismatch(format!("{expected} {what}")));
    }
    if vars.is_empty() {
        return Err(mismatch(format!(
            "at least one of the {what}, to find the tape from"
        )));
    }
    Ok(())
}

/// The linear map from a vector or matrix of the given shape to its entries, row-major, and
/// back.
fn entries_of<B, T>(shape: (usize, usize)) -> Linear<T, Vec<B::Real>>
where
    B: Backend,
    T: Dense<B, B::Real> + Backprop,
{
    Linear::new(
        |x: &T| crate::dense::entries::<B, T>(x),
        move |g: &Vec<B::Real>| T::wrap(T::Kind::from_fn_shape(shape, |k| g[k])),
    )
}

/// The entries of a vector or matrix variable as scalar variables, row-major (one node for the
/// entries, and one per entry; their cotangents are gathered back into one gradient).
pub(crate) fn scalars<'t, B, T>(x: BVar<'t, T>) -> Vec<BVar<'t, B::Real>>
where
    B: Backend,
    T: Dense<B, B::Real> + Backprop,
{
    let shape = T::Kind::shape(x.value().data());
    entries_of::<B, T>(shape).record(x).split()
}

/// A value shaped like `like` whose row-major entry `k` is `vars[k]`, recorded on `tape` from
/// the scalar variables `vars` (which must be as many as `like` has entries).
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
    let shape = T::Kind::shape(like.data());
    if vars.is_empty() {
        // Nothing to gather (and no part to find the tape from): an empty constant.
        return tape.constant(T::wrap(T::Kind::from_fn_shape(shape, |_| unreachable!())));
    }
    entries_of::<B, T>(shape)
        .adjoint()
        .record(Vec::join(vars.to_vec()))
}

/// Records `value = concat(x, y)`, a value joined from two parts: its rule cuts the cotangent
/// in two with `cut` (the adjoint) and hands each part to its input.
pub(crate) fn concat<'t, X, Y, C>(
    x: BVar<'t, X>,
    y: BVar<'t, Y>,
    value: C,
    concat: impl Fn(&X, &Y) -> C + 'static,
    cut: impl Fn(&C) -> (X, Y) + 'static,
) -> BVar<'t, C>
where
    X: Backprop,
    Y: Backprop,
    C: Backprop,
{
    let cut = Linear::new(cut, move |(a, b): &(X, Y)| concat(a, b));
    rule2(x, y, value, move |cx, ix, iy, _, dy| {
        let (dx, dyy) = cut.val(dy).unzip();
        cx.add(ix, dx);
        cx.add(iy, dyy);
    })
}

/// Records `cut(x)`, the pieces of `x` as one variable (to be taken apart with
/// [`BVar::split`]): its rule puts the parts' cotangents back together with `join` (a part that
/// received none contributes zero).
pub(crate) fn parts<'t, X, P>(
    x: BVar<'t, X>,
    cut: impl Fn(&X) -> P + 'static,
    join: impl Fn(&P) -> X + 'static,
) -> BVar<'t, P>
where
    X: Backprop,
    P: Backprop,
{
    Linear::new(cut, join).record(x)
}
