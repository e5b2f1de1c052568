//! Matrix construction: [`row`], [`col`], [`unrow`], [`uncol`], [`hcat`] (hmatrix's `|||`),
//! [`vcat`] (`===`), [`split_rows`], [`split_cols`], [`eye`], [`diag`], and
//! [`matrix`] (hmatrix's `matrix`).
//!
//! Shapes are typenum naturals: `hcat` of `L<M, N1>` and `L<M, N2>` is an `L<M, Sum<N1, N2>>`,
//! `split_rows::<P>` of an `L<M, N>` needs `P ≤ M`.

use std::ops::{Add, Sub};

use backprop_core::BVar;
use typenum::{Diff, IsLessOrEqual, Sum, True, U1, Unsigned};

use crate::backend::{Backend, LinalgError, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::support::place::{gathered_tape, record_concat, record_gather, record_parts};
use crate::ops::support::record::record1;
use crate::{L, R, Sq};

/// Records a reshaping of `x` (a linear bijection between storages): `to` on the way
/// forward, `from` on the cotangent.
fn reshape<'t, X, Y, B>(
    x: BVar<'t, X>,
    to: impl FnOnce(&X) -> Y,
    from: impl FnOnce(&Y) -> X + 'static,
) -> BVar<'t, Y>
where
    X: Dense<B> + backprop_core::Backprop,
    Y: Dense<B> + backprop_core::Backprop,
    B: Backend,
{
    record1(x, to(x.value()), |ctx, ix, _, dy| ctx.add(ix, from(&dy)))
}

/// The vector `x` as a `1×N` matrix (hmatrix's `row`).
///
/// Gradient: `x̄ = Ȳ`'s only row.
pub fn row<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, L<U1, N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    reshape(
        x,
        |x| L::wrap(B::mat_from_fn(1, N::USIZE, |_, j| x.get(j))),
        |dy: &L<U1, N, B>| R::wrap(sized(B::mat_row(dy.data(), 0))),
    )
}

/// The vector `x` as an `N×1` matrix (hmatrix's `col`).
///
/// Gradient: `x̄ = Ȳ`'s only column.
pub fn col<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, L<N, U1, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    reshape(
        x,
        |x| L::wrap(B::mat_from_fn(N::USIZE, 1, |i, _| x.get(i))),
        |dy: &L<N, U1, B>| R::wrap(sized(B::mat_col(dy.data(), 0))),
    )
}

/// The only row of a `1×N` matrix, as a vector (hmatrix's `unrow`).
///
/// Gradient: `Ā = row(ȳ)`.
pub fn unrow<'t, N, B>(a: BVar<'t, L<U1, N, B>>) -> BVar<'t, R<N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    reshape(
        a,
        |a| R::wrap(sized(B::mat_row(a.data(), 0))),
        |dy: &R<N, B>| L::wrap(B::mat_from_fn(1, N::USIZE, |_, j| dy.get(j))),
    )
}

/// The only column of an `N×1` matrix, as a vector (hmatrix's `uncol`).
///
/// Gradient: `Ā = col(ȳ)`.
pub fn uncol<'t, N, B>(a: BVar<'t, L<N, U1, B>>) -> BVar<'t, R<N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    reshape(
        a,
        |a| R::wrap(sized(B::mat_col(a.data(), 0))),
        |dy: &R<N, B>| L::wrap(B::mat_from_fn(N::USIZE, 1, |i, _| dy.get(i))),
    )
}

/// Which way [`join`] and [`cut`] go.
#[derive(Clone, Copy)]
enum Axis {
    /// Side by side: split along the columns.
    Columns,
    /// Stacked: split along the rows.
    Rows,
}

/// `[a b]` or `[a; b]`.
fn join<M1, N1, M2, N2, M, N, B>(axis: Axis, a: &L<M1, N1, B>, b: &L<M2, N2, B>) -> L<M, N, B>
where
    M1: Unsigned + 'static,
    N1: Unsigned + 'static,
    M2: Unsigned + 'static,
    N2: Unsigned + 'static,
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    L::wrap(sized(match axis {
        Axis::Columns => B::mat_hcat(a.data(), b.data()),
        Axis::Rows => B::mat_vcat(a.data(), b.data()),
    }))
}

/// `a` cut after its first `N1` columns (`Axis::Columns`) or `M1` rows (`Axis::Rows`).
fn cut<M1, N1, M2, N2, M, N, B>(axis: Axis, a: &L<M, N, B>) -> (L<M1, N1, B>, L<M2, N2, B>)
where
    M1: Unsigned + 'static,
    N1: Unsigned + 'static,
    M2: Unsigned + 'static,
    N2: Unsigned + 'static,
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let a = a.data();
    let (first, second) = match axis {
        Axis::Columns => (
            B::mat_cols(a, 0..N1::USIZE),
            B::mat_cols(a, N1::USIZE..N::USIZE),
        ),
        Axis::Rows => (
            B::mat_rows(a, 0..M1::USIZE),
            B::mat_rows(a, M1::USIZE..M::USIZE),
        ),
    };
    (L::wrap(sized(first)), L::wrap(sized(second)))
}

/// The side-by-side matrix `[A B]` (hmatrix's `|||`).
///
/// Gradient: `Ā = C̄[:, 0..N1]`, `B̄ = C̄[:, N1..]`.
#[doc(alias = "|||")]
pub fn hcat<'t, M, N1, N2, B>(
    a: BVar<'t, L<M, N1, B>>,
    b: BVar<'t, L<M, N2, B>>,
) -> BVar<'t, L<M, Sum<N1, N2>, B>>
where
    M: Unsigned + 'static,
    N1: Unsigned + Add<N2> + 'static,
    N2: Unsigned + 'static,
    Sum<N1, N2>: Unsigned + 'static,
    B: Backend,
{
    let value = join(Axis::Columns, a.value(), b.value());
    record_concat(a, b, value, |dc| cut(Axis::Columns, dc))
}

/// The stacked matrix `[A; B]`, `A` above `B` (hmatrix's `===`).
///
/// Gradient: `Ā = C̄[0..M1, :]`, `B̄ = C̄[M1.., :]`.
#[doc(alias = "===")]
pub fn vcat<'t, M1, M2, N, B>(
    a: BVar<'t, L<M1, N, B>>,
    b: BVar<'t, L<M2, N, B>>,
) -> BVar<'t, L<Sum<M1, M2>, N, B>>
where
    M1: Unsigned + Add<M2> + 'static,
    M2: Unsigned + 'static,
    N: Unsigned + 'static,
    Sum<M1, M2>: Unsigned + 'static,
    B: Backend,
{
    let value = join(Axis::Rows, a.value(), b.value());
    record_concat(a, b, value, |dc| cut(Axis::Rows, dc))
}

/// The first `P` rows of `a` and the remaining `M − P`, as one variable of a pair (hmatrix's
/// `splitRows`; `P ≤ M` is checked by the compiler). Take the parts with [`BVar::split`].
///
/// Gradient: `Ā = [Ȳ₁; Ȳ₂]`; a part that is not used contributes zero.
// The pair of parts is the signature; an alias would only hide the shapes.
#[allow(clippy::type_complexity)]
pub fn split_rows<'t, P, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> BVar<'t, (L<P, N, B>, L<Diff<M, P>, N, B>)>
where
    P: Unsigned + IsLessOrEqual<M, Output = True> + 'static,
    M: Unsigned + Sub<P> + 'static,
    N: Unsigned + 'static,
    Diff<M, P>: Unsigned + 'static,
    B: Backend,
{
    let parts = cut(Axis::Rows, a.value());
    record_parts(a, parts, |(top, bottom)| join(Axis::Rows, &top, &bottom))
}

/// The first `P` columns of `a` and the remaining `N − P`, as one variable of a pair
/// (hmatrix's `splitCols`; `P ≤ N` is checked by the compiler). Take the parts with
/// [`BVar::split`].
///
/// Gradient: `Ā = [Ȳ₁ Ȳ₂]`; a part that is not used contributes zero.
// The pair of parts is the signature; an alias would only hide the shapes.
#[allow(clippy::type_complexity)]
pub fn split_cols<'t, P, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> BVar<'t, (L<M, P, B>, L<M, Diff<N, P>, B>)>
where
    P: Unsigned + IsLessOrEqual<N, Output = True> + 'static,
    M: Unsigned + 'static,
    N: Unsigned + Sub<P> + 'static,
    Diff<N, P>: Unsigned + 'static,
    B: Backend,
{
    let parts = cut(Axis::Columns, a.value());
    record_parts(a, parts, |(left, right)| join(Axis::Columns, &left, &right))
}

/// The `N×N` identity matrix (hmatrix's `eye`; a plain value: put it on a tape with
/// `tape.constant`).
pub fn eye<N: Unsigned + 'static, B: Backend>() -> Sq<N, B> {
    Sq::eye()
}

/// The square matrix with `x` on its diagonal and zeros elsewhere (hmatrix's `diag`).
///
/// Gradient: `x̄ = diag(Ȳ)`, the diagonal of the cotangent.
pub fn diag<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    let value = L::wrap(B::mat_from_diag(x.value().data()));
    record1(x, value, |ctx, ix, _, dy: Sq<N, B>| {
        ctx.add(ix, R::wrap(B::mat_diag(dy.data())));
    })
}

/// The `M×N` matrix of the scalar variables `xs`, in row-major order (hmatrix's `matrix`);
/// arrays and `Vec`s coerce: `matrix(&[a, b, c, d])`.
///
/// Gradient: `x̄_{iN+j} = Ȳᵢⱼ`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"matrix"`) when `xs` does not hold exactly `M·N`
/// variables, or is empty (no tape to record on).
pub fn try_matrix<'t, M, N, B>(xs: &[BVar<'t, f64>]) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let n = N::USIZE;
    let tape = gathered_tape("matrix", xs, M::USIZE * n, "scalar variables")?;
    let value = L::from_fn(|i, j| *xs[i * n + j].value());
    Ok(record_gather(tape, xs, value, move |dy: &L<M, N, B>, k| {
        dy.get(k / n, k % n)
    }))
}

/// [`try_matrix`], panicking on a wrong length.
///
/// # Panics
/// When `xs` does not hold exactly `M·N` variables, with the message of the `try_` form
/// (hmatrix-backprop's `matrix` fails the same way, with `error`).
#[track_caller]
pub fn matrix<'t, M, N, B>(xs: &[BVar<'t, f64>]) -> BVar<'t, L<M, N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    or_fail(try_matrix(xs))
}
