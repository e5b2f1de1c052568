//! Matrix construction: [`row`], [`col`], [`unrow`], [`uncol`], [`hcat`] (hmatrix's `|||`),
//! [`vcat`] (`===`), [`split_rows`], [`split_cols`], [`eye`], [`diag`], and
//! [`matrix`] (hmatrix's `matrix`).
//!
//! Sizes are [`Dim`]s: `hcat` of `L<M, N1>` and `L<M, N2>` is an `L<M, Sum<N1, N2>>` (or
//! `L<M, Dyn>` when a width is [`Dyn`](crate::Dyn)), `split_rows::<P>` of an `L<M, N>` needs
//! `P ≤ M`, which the compiler checks for a static `M`. What the types cannot tie together
//! (equal heights for `hcat` when `M` is run-time, say) the `try_` forms check.

use backprop_core::{BVar, Val};
use typenum::U1;

use crate::dim::{Dim, DimAdd, DimDiff, DimSub, DimSum, Dyn, StaticDim};

use crate::backend::{Backend, LinalgError, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::structure::take_diag;
use crate::ops::support::linear::Linear;
use crate::ops::support::place::{check_count, concat, gather, parts};
use crate::ops::support::record::rule1;
use crate::{L, R, Sq};

/// The vector `x` as a `1×N` matrix (hmatrix's `row`).
///
/// Gradient: `x̄ = Ȳ`'s only row.
pub fn row<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, L<U1, N, B>>
where
    N: Dim,
    B: Backend,
{
    Linear::new(
        |x: &R<N, B>| L::wrap(B::mat_from_fn(1, x.len(), |_, j| x.get(j))),
        |dy: &L<U1, N, B>| R::wrap(sized(B::mat_row(dy.data(), 0))),
    )
    .record(x)
}

/// The vector `x` as an `N×1` matrix (hmatrix's `col`).
///
/// Gradient: `x̄ = Ȳ`'s only column.
pub fn col<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, L<N, U1, B>>
where
    N: Dim,
    B: Backend,
{
    Linear::new(
        |x: &R<N, B>| L::wrap(B::mat_from_fn(x.len(), 1, |i, _| x.get(i))),
        |dy: &L<N, U1, B>| R::wrap(sized(B::mat_col(dy.data(), 0))),
    )
    .record(x)
}

/// The only row of a `1×N` matrix, as a vector (hmatrix's `unrow`).
///
/// Gradient: `Ā = row(ȳ)`.
pub fn unrow<'t, N, B>(a: BVar<'t, L<U1, N, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    Linear::new(
        |a: &L<U1, N, B>| R::wrap(sized(B::mat_row(a.data(), 0))),
        |dy: &R<N, B>| L::wrap(B::mat_from_fn(1, dy.len(), |_, j| dy.get(j))),
    )
    .record(a)
}

/// The only column of an `N×1` matrix, as a vector (hmatrix's `uncol`).
///
/// Gradient: `Ā = col(ȳ)`.
pub fn uncol<'t, N, B>(a: BVar<'t, L<N, U1, B>>) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    Linear::new(
        |a: &L<N, U1, B>| R::wrap(sized(B::mat_col(a.data(), 0))),
        |dy: &R<N, B>| L::wrap(B::mat_from_fn(dy.len(), 1, |i, _| dy.get(i))),
    )
    .record(a)
}

/// Which way [`join`] and [`cut`] go.
#[derive(Clone, Copy)]
enum Axis {
    /// Side by side: split along the columns.
    Columns,
    /// Stacked: split along the rows.
    Rows,
}

/// `[a b]` or `[a; b]`; the error (heights or widths differ) names `op`.
fn join<M1, N1, M2, N2, M, N, B>(
    op: &'static str,
    axis: Axis,
    a: &L<M1, N1, B>,
    b: &L<M2, N2, B>,
) -> Result<L<M, N, B>, LinalgError>
where
    M1: Dim,
    N1: Dim,
    M2: Dim,
    N2: Dim,
    M: Dim,
    N: Dim,
    B: Backend,
{
    let joined = match axis {
        Axis::Columns => B::mat_hcat(a.data(), b.data()),
        Axis::Rows => B::mat_vcat(a.data(), b.data()),
    };
    Ok(L::wrap(joined.map_err(|e| e.with_op(op))?))
}

/// `a` cut after its first `k` columns (`Axis::Columns`) or rows (`Axis::Rows`); `k` is at
/// most that size, which the callers check.
fn cut<M1, N1, M2, N2, M, N, B>(
    axis: Axis,
    a: &L<M, N, B>,
    k: usize,
) -> (L<M1, N1, B>, L<M2, N2, B>)
where
    M1: Dim,
    N1: Dim,
    M2: Dim,
    N2: Dim,
    M: Dim,
    N: Dim,
    B: Backend,
{
    let (rows, cols) = a.shape();
    let a = a.data();
    let (first, second) = match axis {
        Axis::Columns => (B::mat_cols(a, 0..k), B::mat_cols(a, k..cols)),
        Axis::Rows => (B::mat_rows(a, 0..k), B::mat_rows(a, k..rows)),
    };
    (L::wrap(sized(first)), L::wrap(sized(second)))
}

/// The side-by-side matrix `[A B]` (hmatrix's `|||`).
///
/// Gradient: `Ā = C̄[:, 0..N1]`, `B̄ = C̄[:, N1..]`.
///
/// # Panics
/// As [`try_hcat`].
#[doc(alias = "|||")]
#[track_caller]
pub fn hcat<'t, M, N1, N2, B>(
    a: BVar<'t, L<M, N1, B>>,
    b: BVar<'t, L<M, N2, B>>,
) -> BVar<'t, L<M, DimSum<N1, N2>, B>>
where
    M: Dim,
    N1: DimAdd<N2>,
    N2: Dim,
    B: Backend,
{
    or_fail(try_hcat(a, b))
}

/// [`hcat`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"hcat"`) if the heights differ (possible only for a
/// run-time `M`).
#[allow(clippy::type_complexity)] // the shapes are the signature
pub fn try_hcat<'t, M, N1, N2, B>(
    a: BVar<'t, L<M, N1, B>>,
    b: BVar<'t, L<M, N2, B>>,
) -> Result<BVar<'t, L<M, DimSum<N1, N2>, B>>, LinalgError>
where
    M: Dim,
    N1: DimAdd<N2>,
    N2: Dim,
    B: Backend,
{
    let value = join("hcat", Axis::Columns, a.value(), b.value())?;
    let n1 = a.value().shape().1;
    Ok(concat(
        a,
        b,
        value,
        |a, b| sized(join("hcat", Axis::Columns, a, b)),
        move |dc| cut(Axis::Columns, dc, n1),
    ))
}

/// The stacked matrix `[A; B]`, `A` above `B` (hmatrix's `===`).
///
/// Gradient: `Ā = C̄[0..M1, :]`, `B̄ = C̄[M1.., :]`.
///
/// # Panics
/// As [`try_vcat`].
#[doc(alias = "===")]
#[track_caller]
pub fn vcat<'t, M1, M2, N, B>(
    a: BVar<'t, L<M1, N, B>>,
    b: BVar<'t, L<M2, N, B>>,
) -> BVar<'t, L<DimSum<M1, M2>, N, B>>
where
    M1: DimAdd<M2>,
    M2: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_vcat(a, b))
}

/// [`vcat`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"vcat"`) if the widths differ (possible only for a
/// run-time `N`).
#[allow(clippy::type_complexity)] // the shapes are the signature
pub fn try_vcat<'t, M1, M2, N, B>(
    a: BVar<'t, L<M1, N, B>>,
    b: BVar<'t, L<M2, N, B>>,
) -> Result<BVar<'t, L<DimSum<M1, M2>, N, B>>, LinalgError>
where
    M1: DimAdd<M2>,
    M2: Dim,
    N: Dim,
    B: Backend,
{
    let value = join("vcat", Axis::Rows, a.value(), b.value())?;
    let m1 = a.value().shape().0;
    Ok(concat(
        a,
        b,
        value,
        |a, b| sized(join("vcat", Axis::Rows, a, b)),
        move |dc| cut(Axis::Rows, dc, m1),
    ))
}

/// `a` cut after `k` rows or columns as one variable of a pair, after checking that `k` is not
/// past the end.
#[allow(clippy::type_complexity)]
fn split_parts<'t, M1, N1, M2, N2, M, N, B>(
    op: &'static str,
    axis: Axis,
    a: BVar<'t, L<M, N, B>>,
    k: usize,
) -> Result<BVar<'t, (L<M1, N1, B>, L<M2, N2, B>)>, LinalgError>
where
    M1: Dim,
    N1: Dim,
    M2: Dim,
    N2: Dim,
    M: Dim,
    N: Dim,
    B: Backend,
{
    let (rows, cols) = a.value().shape();
    let len = match axis {
        Axis::Rows => rows,
        Axis::Columns => cols,
    };
    if k > len {
        return Err(LinalgError::OutOfBounds {
            op,
            start: 0,
            end: k,
            len,
        });
    }
    Ok(parts(
        a,
        move |a| cut(axis, a, k),
        move |(first, second)| sized(join(op, axis, first, second)),
    ))
}

/// The first `P` rows of `a` and the remaining `M − P`, as one variable of a pair (hmatrix's
/// `splitRows`; `P ≤ M` is checked by the compiler for a static `M`, at run time otherwise).
/// Take the parts with [`BVar::split`].
///
/// Gradient: `Ā = [Ȳ₁; Ȳ₂]`; a part that is not used contributes zero.
///
/// # Panics
/// As [`try_split_rows`].
// The pair of parts is the signature; an alias would only hide the shapes.
#[allow(clippy::type_complexity)]
#[track_caller]
pub fn split_rows<'t, P, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> BVar<'t, (L<P, N, B>, L<DimDiff<M, P>, N, B>)>
where
    P: StaticDim,
    M: DimSub<P>,
    N: Dim,
    B: Backend,
{
    or_fail(try_split_rows(a))
}

/// [`split_rows`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"split_rows"`) if `a` has fewer than `P` rows (possible
/// only for a run-time `M`).
#[allow(clippy::type_complexity)]
pub fn try_split_rows<'t, P, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<P, N, B>, L<DimDiff<M, P>, N, B>)>, LinalgError>
where
    P: StaticDim,
    M: DimSub<P>,
    N: Dim,
    B: Backend,
{
    split_parts("split_rows", Axis::Rows, a, P::SIZE)
}

/// The first `P` columns of `a` and the remaining `N − P`, as one variable of a pair
/// (hmatrix's `splitCols`; `P ≤ N` is checked by the compiler for a static `N`, at run time
/// otherwise). Take the parts with [`BVar::split`].
///
/// Gradient: `Ā = [Ȳ₁ Ȳ₂]`; a part that is not used contributes zero.
///
/// # Panics
/// As [`try_split_cols`].
// The pair of parts is the signature; an alias would only hide the shapes.
#[allow(clippy::type_complexity)]
#[track_caller]
pub fn split_cols<'t, P, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> BVar<'t, (L<M, P, B>, L<M, DimDiff<N, P>, B>)>
where
    P: StaticDim,
    M: Dim,
    N: DimSub<P>,
    B: Backend,
{
    or_fail(try_split_cols(a))
}

/// [`split_cols`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"split_cols"`) if `a` has fewer than `P` columns
/// (possible only for a run-time `N`).
#[allow(clippy::type_complexity)]
pub fn try_split_cols<'t, P, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<M, P, B>, L<M, DimDiff<N, P>, B>)>, LinalgError>
where
    P: StaticDim,
    M: Dim,
    N: DimSub<P>,
    B: Backend,
{
    split_parts("split_cols", Axis::Columns, a, P::SIZE)
}

/// `a` cut into its first `k` rows and the rest, two run-time sized matrices as one variable
/// of a pair: the split point a type cannot carry.
///
/// Gradient: `Ā = [Ȳ₁; Ȳ₂]`.
///
/// # Panics
/// As [`try_split_rows_at`].
#[allow(clippy::type_complexity)]
#[track_caller]
pub fn split_rows_at<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
    k: usize,
) -> BVar<'t, (L<Dyn, N, B>, L<Dyn, N, B>)>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_split_rows_at(a, k))
}

/// [`split_rows_at`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"split_rows_at"`) if `k` is past the last row.
#[allow(clippy::type_complexity)]
pub fn try_split_rows_at<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
    k: usize,
) -> Result<BVar<'t, (L<Dyn, N, B>, L<Dyn, N, B>)>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    split_parts("split_rows_at", Axis::Rows, a, k)
}

/// `a` cut into its first `k` columns and the rest, two run-time sized matrices as one
/// variable of a pair.
///
/// Gradient: `Ā = [Ȳ₁ Ȳ₂]`.
///
/// # Panics
/// As [`try_split_cols_at`].
#[allow(clippy::type_complexity)]
#[track_caller]
pub fn split_cols_at<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
    k: usize,
) -> BVar<'t, (L<M, Dyn, B>, L<M, Dyn, B>)>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_split_cols_at(a, k))
}

/// [`split_cols_at`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"split_cols_at"`) if `k` is past the last column.
#[allow(clippy::type_complexity)]
pub fn try_split_cols_at<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
    k: usize,
) -> Result<BVar<'t, (L<M, Dyn, B>, L<M, Dyn, B>)>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    split_parts("split_cols_at", Axis::Columns, a, k)
}

/// The `N×N` identity matrix (hmatrix's `eye`; a plain value: put it on a tape with
/// `tape.constant`). For a run-time size, [`L::eye_n`](crate::L::eye_n).
pub fn eye<N: StaticDim, B: Backend>() -> Sq<N, B> {
    Sq::eye()
}

/// The square matrix with `x` on its diagonal and zeros elsewhere (hmatrix's `diag`).
///
/// Gradient: `x̄ = diag(Ȳ)`, the diagonal of the cotangent.
pub fn diag<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    let value = L::wrap(B::mat_from_diag(x.value().data()));
    rule1(x, value, |cx, ix, _, dy| {
        cx.add(ix, dy.map(|d| R::wrap(B::mat_diag(d.data())), take_diag));
    })
}

/// The diagonal matrix of a vector quantity of a rule: built on plain values, [`diag`] on
/// variables.
pub(crate) fn diag_of<'v, N: Dim, B: Backend>(x: Val<'v, R<N, B>>) -> Val<'v, Sq<N, B>> {
    x.map(|x| L::wrap(B::mat_from_diag(x.data())), diag)
}

/// The `M×N` matrix of the scalar variables `xs`, in row-major order (hmatrix's `matrix`);
/// arrays and `Vec`s coerce: `matrix(&[a, b, c, d])`. With a run-time size, that size is
/// found from the number of variables and the other size; [`try_matrix_shape`] gives both.
///
/// Gradient: `x̄_{iN+j} = Ȳᵢⱼ`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"matrix"`) when `xs` does not hold exactly `M·N`
/// variables, or is empty (no tape to record on), or both sizes are run-time ones.
pub fn try_matrix<'t, M, N, B>(
    xs: &[BVar<'t, B::Real>],
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let len = xs.len();
    let (rows, cols) = match (M::STATIC, N::STATIC) {
        (Some(m), Some(n)) => (m, n),
        (Some(m), None) if m > 0 => (m, len / m),
        (None, Some(n)) if n > 0 => (len / n, n),
        _ => {
            return Err(LinalgError::ShapeMismatch {
                op: "matrix",
                expected: "a static size (or use try_matrix_shape)".into(),
                found: format!("{}×{}", M::describe(), N::describe()),
            });
        }
    };
    try_matrix_shape(rows, cols, xs)
}

/// The `rows×cols` matrix of the scalar variables `xs`, in row-major order: [`matrix`] with
/// its shape given at run time (each static size must be the type's).
///
/// Gradient: `x̄_{i·cols+j} = Ȳᵢⱼ`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"matrix"`) when `xs` does not hold exactly `rows·cols`
/// variables, or is empty, or a static size is not the type's.
pub fn try_matrix_shape<'t, M, N, B>(
    rows: usize,
    cols: usize,
    xs: &[BVar<'t, B::Real>],
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    if !(M::admits(rows) && N::admits(cols)) {
        return Err(LinalgError::ShapeMismatch {
            op: "matrix",
            expected: format!("{}×{}", M::describe(), N::describe()),
            found: format!("{rows}×{cols}"),
        });
    }
    check_count("matrix", xs, rows * cols, "scalar variables")?;
    Ok(gather(
        xs,
        move |xs| L::wrap(B::mat_from_fn(rows, cols, |i, j| xs[i * cols + j])),
        move |dy: &L<M, N, B>, k| dy.get(k / cols, k % cols),
    ))
}

/// [`try_matrix`], panicking on a wrong length.
///
/// # Panics
/// When `xs` does not hold exactly `M·N` variables, with the message of the `try_` form
/// (hmatrix-backprop's `matrix` fails the same way, with `error`).
#[track_caller]
pub fn matrix<'t, M, N, B>(xs: &[BVar<'t, B::Real>]) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_matrix(xs))
}
