//! Parts of a quantity of a rule, each recorded with its adjoint so that the pair is closed
//! under differentiation: a run of columns of a matrix and the matrix that holds it among zero
//! columns, and the first entries of a vector and the vector that pads them with zeros.

use std::ops::Range;

use backprop_core::Val;

use crate::backend::{Backend, lit, sized};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::support::record::rule1;
use crate::{L, R};

/// The columns `cols` of `x`. Gradient: the cotangent placed at those columns among zeros
/// ([`place_columns`]).
pub(crate) fn columns<'v, M, N, K, B>(
    x: Val<'v, L<M, N, B>>,
    cols: Range<usize>,
) -> Val<'v, L<M, K, B>>
where
    M: Dim,
    N: Dim,
    K: Dim,
    B: Backend,
{
    let take = |x: &L<M, N, B>, cols: Range<usize>| L::wrap(sized(B::mat_cols(x.data(), cols)));
    let plain_cols = cols.clone();
    x.map(
        move |x| take(&x, plain_cols),
        move |x| {
            let (value, n) = (take(x.value(), cols.clone()), x.value().shape().1);
            rule1(x, value, move |cx, ix, _, dy| {
                cx.add(ix, place_columns(dy, cols.clone(), n));
            })
        },
    )
}

/// The `n`-column matrix holding `y` at the columns `cols` and zeros elsewhere. Gradient: the
/// cotangent's columns `cols` ([`columns`]).
pub(crate) fn place_columns<'v, M, K, N, B>(
    y: Val<'v, L<M, K, B>>,
    cols: Range<usize>,
    n: usize,
) -> Val<'v, L<M, N, B>>
where
    M: Dim,
    K: Dim,
    N: Dim,
    B: Backend,
{
    let place = |y: &L<M, K, B>, cols: &Range<usize>| {
        let m = y.shape().0;
        L::wrap(B::mat_from_fn(m, n, |i, j| {
            if cols.contains(&j) {
                y.get(i, j - cols.start)
            } else {
                lit::<B>(0.0)
            }
        }))
    };
    let plain_cols = cols.clone();
    y.map(
        move |y| place(&y, &plain_cols),
        move |y| {
            let value = place(y.value(), &cols);
            rule1(y, value, move |cx, iy, _, dx| {
                cx.add(iy, columns(dx, cols.clone()));
            })
        },
    )
}

/// The first `k` entries of `x`. Gradient: the cotangent padded with zeros ([`padded`]).
pub(crate) fn head<'v, N, K, B>(x: Val<'v, R<N, B>>, k: usize) -> Val<'v, R<K, B>>
where
    N: Dim,
    K: Dim,
    B: Backend,
{
    let take = move |x: &R<N, B>| R::build(k, |i| x.get(i));
    x.map(
        |x| take(&x),
        |x| {
            let (value, n) = (take(x.value()), x.value().len());
            rule1(x, value, move |cx, ix, _, dy| cx.add(ix, padded(dy, n)))
        },
    )
}

/// `y` followed by zeros up to length `n`. Gradient: the cotangent's first entries ([`head`]).
pub(crate) fn padded<'v, K, N, B>(y: Val<'v, R<K, B>>, n: usize) -> Val<'v, R<N, B>>
where
    K: Dim,
    N: Dim,
    B: Backend,
{
    let pad = move |y: &R<K, B>| {
        let k = y.len();
        R::build(n, |i| if i < k { y.get(i) } else { lit::<B>(0.0) })
    };
    y.map(
        |y| pad(&y),
        |y| {
            let (value, k) = (pad(y.value()), y.value().len());
            rule1(y, value, move |cx, iy, _, dx| cx.add(iy, head(dx, k)))
        },
    )
}
