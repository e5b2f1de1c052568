//! Conversions between a matrix and its rows or columns: [`to_rows`], [`to_columns`],
//! [`from_rows`], [`from_columns`] (hmatrix-backprop's type-safe replacements for `withRows`
//! and `withColumns`).

use crate::dim::Dim;
use backprop_core::BVar;

use crate::backend::{Backend, LinalgError, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::support::place::{check_count, gather, parts};
use crate::{L, R};

/// The rows of `a`.
fn rows_of<M, N, B>(a: &L<M, N, B>) -> Vec<R<N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    (0..a.shape().0)
        .map(|i| R::wrap(sized(B::mat_row(a.data(), i))))
        .collect()
}

/// The columns of `a`.
fn columns_of<M, N, B>(a: &L<M, N, B>) -> Vec<R<M, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    (0..a.shape().1)
        .map(|j| R::wrap(sized(B::mat_col(a.data(), j))))
        .collect()
}

/// Checks that the vectors `parts` have one length; the error names `op`.
fn same_lengths(op: &'static str, parts: impl Iterator<Item = usize>) -> Result<(), LinalgError> {
    let mut len = None;
    for (k, found) in parts.enumerate() {
        match len {
            None => len = Some(found),
            Some(len) if found != len => {
                return Err(LinalgError::ShapeMismatch {
                    op,
                    expected: format!("vectors of one length ({len} entries)"),
                    found: format!("{found} entries at position {k}"),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The matrix of the vectors `parts` (of one length), as its rows (`by_rows`) or its columns.
fn of_parts<M, N, K, B>(parts: &[R<K, B>], by_rows: bool) -> L<M, N, B>
where
    M: Dim,
    N: Dim,
    K: Dim,
    B: Backend,
{
    let count = parts.len();
    let len = parts.first().map_or(0, R::len);
    let matrix = if by_rows {
        B::mat_from_fn(count, len, |i, j| parts[i].get(j))
    } else {
        B::mat_from_fn(len, count, |i, j| parts[j].get(i))
    };
    L::wrap(matrix)
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
    M: Dim,
    N: Dim,
    B: Backend,
{
    let m = a.value().shape().0;
    parts(a, rows_of, move |rows| {
        check_parts("to_rows", rows, m, "rows");
        of_parts(rows, true)
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
    M: Dim,
    N: Dim,
    B: Backend,
{
    let n = a.value().shape().1;
    parts(a, columns_of, move |columns| {
        check_parts("to_columns", columns, n, "columns");
        of_parts(columns, false)
    })
}

/// Panics unless a cotangent `Vec` has the `expected` number of parts, of one length.
#[track_caller]
fn check_parts<K: Dim, B: Backend>(
    op: &'static str,
    parts: &[R<K, B>],
    expected: usize,
    what: &str,
) {
    let found = parts.len();
    assert!(
        found == expected,
        "{op}: the cotangent holds {found} {what}, expected {expected}"
    );
    sized(same_lengths(op, parts.iter().map(R::len)));
}

/// The `M×N` matrix whose rows are `rows` (hmatrix's `fromRows`); arrays and `Vec`s coerce.
///
/// Gradient: row `i` gets `Ȳ`'s row `i`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"from_rows"`) when there are not exactly `M` rows
/// (in particular none: no tape to record on), or the rows' lengths differ (possible only for
/// a run-time `N`).
pub fn try_from_rows<'t, M, N, B>(
    rows: &[BVar<'t, R<N, B>>],
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    check_count("from_rows", rows, M::STATIC.unwrap_or(rows.len()), "rows")?;
    same_lengths("from_rows", rows.iter().map(|r| r.value().len()))?;
    Ok(gather(
        rows,
        |rows| of_parts(rows, true),
        |dy: &L<M, N, B>, i| R::wrap(sized(B::mat_row(dy.data(), i))),
    ))
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
    M: Dim,
    N: Dim,
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
/// (in particular none: no tape to record on), or the columns' lengths differ (possible only
/// for a run-time `M`).
pub fn try_from_columns<'t, M, N, B>(
    columns: &[BVar<'t, R<M, B>>],
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let count = N::STATIC.unwrap_or(columns.len());
    check_count("from_columns", columns, count, "columns")?;
    same_lengths("from_columns", columns.iter().map(|c| c.value().len()))?;
    Ok(gather(
        columns,
        |columns| of_parts(columns, false),
        |dy: &L<M, N, B>, j| R::wrap(sized(B::mat_col(dy.data(), j))),
    ))
}

/// [`try_from_columns`], panicking when there are not exactly `N` columns.
///
/// # Panics
/// With the message of the `try_` form.
#[track_caller]
pub fn from_columns<'t, M, N, B>(columns: &[BVar<'t, R<M, B>>]) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_from_columns(columns))
}
