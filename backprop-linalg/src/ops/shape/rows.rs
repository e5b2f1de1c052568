//! Conversions between a matrix and its rows or columns: [`to_rows`], [`to_columns`],
//! [`from_rows`], [`from_columns`] (hmatrix-backprop's type-safe replacements for `withRows`
//! and `withColumns`).

use backprop_core::BVar;
use typenum::Unsigned;

use crate::backend::{Backend, LinalgError, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::support::place::{gathered_tape, record_gather, record_parts};
use crate::{L, R};

/// The rows of `a`.
fn rows_of<M, N, B>(a: &L<M, N, B>) -> Vec<R<N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    (0..M::USIZE)
        .map(|i| R::wrap(sized(B::mat_row(a.data(), i))))
        .collect()
}

/// The columns of `a`.
fn columns_of<M, N, B>(a: &L<M, N, B>) -> Vec<R<M, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    (0..N::USIZE)
        .map(|j| R::wrap(sized(B::mat_col(a.data(), j))))
        .collect()
}

/// The matrix whose row `i` is `row(i)`.
fn of_rows<'a, M, N, B>(row: impl Fn(usize) -> &'a R<N, B>) -> L<M, N, B>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    L::from_fn(|i, j| row(i).get(j))
}

/// The matrix whose column `j` is `column(j)`.
fn of_columns<'a, M, N, B>(column: impl Fn(usize) -> &'a R<M, B>) -> L<M, N, B>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    L::from_fn(|i, j| column(j).get(i))
}

/// The `M` rows of `a`, as one variable of a `Vec` (hmatrix's `toRows`); take the rows apart
/// with [`BVar::split`].
///
/// Gradient: `Ā`'s row `i` is row `i`'s cotangent; unused rows contribute zero.
///
/// # Panics
/// In the backward pass, if a cotangent given to the whole `Vec` (by a seed of
/// [`backprop_with`](crate::backprop_with), say) does not hold `M` rows.
pub fn to_rows<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, Vec<R<N, B>>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    record_parts(a, rows_of(a.value()), |rows| {
        check_parts("to_rows", rows.len(), M::USIZE, "rows");
        of_rows(|i| &rows[i])
    })
}

/// The `N` columns of `a`, as one variable of a `Vec` (hmatrix's `toColumns`); take the
/// columns apart with [`BVar::split`].
///
/// Gradient: `Ā`'s column `j` is column `j`'s cotangent; unused columns contribute zero.
///
/// # Panics
/// In the backward pass, if a cotangent given to the whole `Vec` does not hold `N` columns.
pub fn to_columns<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, Vec<R<M, B>>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    record_parts(a, columns_of(a.value()), |columns| {
        check_parts("to_columns", columns.len(), N::USIZE, "columns");
        of_columns(|j| &columns[j])
    })
}

/// Panics unless a cotangent `Vec` has the `expected` number of parts.
#[track_caller]
fn check_parts(op: &str, found: usize, expected: usize, what: &str) {
    assert!(
        found == expected,
        "{op}: the cotangent holds {found} {what}, expected {expected}"
    );
}

/// The `M×N` matrix whose rows are `rows` (hmatrix's `fromRows`); arrays and `Vec`s coerce.
///
/// Gradient: row `i` gets `Ȳ`'s row `i`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"from_rows"`) when there are not exactly `M` rows
/// (in particular none: no tape to record on).
pub fn try_from_rows<'t, M, N, B>(
    rows: &[BVar<'t, R<N, B>>],
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let tape = gathered_tape("from_rows", rows, M::USIZE, "rows")?;
    let value = of_rows(|i| rows[i].value());
    Ok(record_gather(tape, rows, value, |dy: &L<M, N, B>, i| {
        R::wrap(sized(B::mat_row(dy.data(), i)))
    }))
}

/// [`try_from_rows`], panicking when there are not exactly `M` rows.
///
/// ```
/// use backprop_linalg::{eval_bp, from_rows, to_rows, L, typenum::{U2, U3}};
/// let a: L<U2, U3> = L::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// // Swap the two rows.
/// let b = eval_bp(|a| { let r = to_rows(a).split(); from_rows::<U2, _, _>(&[r[1], r[0]]) }, &a);
/// assert_eq!(b.to_row_major(), vec![4.0, 5.0, 6.0, 1.0, 2.0, 3.0]);
/// ```
///
/// # Panics
/// With the message of the `try_` form.
#[track_caller]
pub fn from_rows<'t, M, N, B>(rows: &[BVar<'t, R<N, B>>]) -> BVar<'t, L<M, N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    or_fail(try_from_rows(rows))
}

/// The `M×N` matrix whose columns are `columns` (hmatrix's `fromColumns`).
///
/// Gradient: column `j` gets `Ȳ`'s column `j`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"from_columns"`) when there are not exactly `N` columns
/// (in particular none: no tape to record on).
pub fn try_from_columns<'t, M, N, B>(
    columns: &[BVar<'t, R<M, B>>],
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    let tape = gathered_tape("from_columns", columns, N::USIZE, "columns")?;
    let value = of_columns(|j| columns[j].value());
    Ok(record_gather(tape, columns, value, |dy: &L<M, N, B>, j| {
        R::wrap(sized(B::mat_col(dy.data(), j)))
    }))
}

/// [`try_from_columns`], panicking when there are not exactly `N` columns.
///
/// # Panics
/// With the message of the `try_` form.
#[track_caller]
pub fn from_columns<'t, M, N, B>(columns: &[BVar<'t, R<M, B>>]) -> BVar<'t, L<M, N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    or_fail(try_from_columns(columns))
}
