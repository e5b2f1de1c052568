//! Affine maps, the layers of a network: [`affine`] (`W·x + b`), [`affine_cols`]
//! (`W·X + b·1ᵀ`, a batch stored as columns) and [`add_to_cols`] (`M + v·1ᵀ`), which hmatrix
//! spells with `#>`, `<>`, `+` and `outer(b, 1)`.
//!
//! Each is one node instead of two or three: the output is computed in place into a copy of the
//! bias (GEMV/GEMM with `β = 1`), no `M × N` outer product is stored, and the cotangent is passed
//! on to the bias (or to `M`) without being copied.

use crate::dim::Dim;
use backprop_core::{BVar, Val};

use crate::backend::{Backend, LinalgError, one, ones, or_fail};
use crate::dense::{Construct, Dense};
use crate::ops::support::products;
use crate::ops::support::record::{pull_matvec, pull_outer, pull_product, rule2, rule3};
use crate::{L, R};

use backprop_backend::Transpose::{No, Yes};

/// `y = W·x + b`, one affine layer applied to one sample.
///
/// Gradient: `W̄ = ȳ·xᵀ`, `x̄ = Wᵀ·ȳ`, `b̄ = ȳ`. The same value and gradient as
/// `app(w, x) + b`, in one node.
///
/// ```
/// use backprop_linalg::typenum::{U2, U3};
/// use backprop_linalg::{L, R, affine, eval_bp};
///
/// let w = L::<U2, U3>::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let x = R::<U3>::from_slice(&[1.0, 0.0, -1.0]);
/// let b = R::<U2>::from_slice(&[10.0, 20.0]);
/// let y = eval_bp(|p| { let (w, x, b) = p.split(); affine(w, x, b) }, &(w, x, b));
/// assert_eq!(y.to_vec(), [8.0, 18.0]);
/// ```
///
/// # Panics
/// As [`try_affine`].
#[track_caller]
pub fn affine<'t, M, N, B>(
    w: BVar<'t, L<M, N, B>>,
    x: BVar<'t, R<N, B>>,
    b: BVar<'t, R<M, B>>,
) -> BVar<'t, R<M, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_affine(w, x, b))
}

/// [`affine`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"affine"`) if `x`'s length is not `W`'s number of
/// columns or `b`'s not its number of rows (possible only for run-time sizes).
pub fn try_affine<'t, M, N, B>(
    w: BVar<'t, L<M, N, B>>,
    x: BVar<'t, R<N, B>>,
    b: BVar<'t, R<M, B>>,
) -> Result<BVar<'t, R<M, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let mut y = b.value().clone();
    let one = one::<B::Real>();
    B::gemv(
        y.data_mut(),
        one,
        w.value().data(),
        No,
        x.value().data(),
        one,
    )
    .map_err(|e| e.with_op("affine"))?;
    Ok(rule3(w, x, b, y, |cx, (iw, ix, ib), _, dy| {
        let (w, x) = (cx.value(iw), cx.value(ix));
        pull_outer(cx, iw, &dy, &x);
        pull_matvec(cx, ix, &w, Yes, &dy);
        cx.add(ib, dy);
    }))
}

/// `Y = W·X + b·1ᵀ`, one affine layer applied to a batch of samples stored as the columns of
/// `X`.
///
/// Gradient: `W̄ = Ȳ·Xᵀ`, `X̄ = Wᵀ·Ȳ`, `b̄ = Ȳ·1` (the row sums of `Ȳ`). The same value and
/// gradient as `mul(w, x) + outer(b, ones)`, in one node and without the outer product.
///
/// ```
/// use backprop_linalg::typenum::{U1, U2};
/// use backprop_linalg::{L, R, affine_cols, eval_bp};
///
/// let w = L::<U2, U1>::from_row_major(&[1.0, 2.0]);
/// let x = L::<U1, U2>::from_row_major(&[3.0, 4.0]);
/// let b = R::<U2>::from_slice(&[10.0, 20.0]);
/// let y = eval_bp(|p| { let (w, x, b) = p.split(); affine_cols(w, x, b) }, &(w, x, b));
/// assert_eq!(y.to_row_major(), [13.0, 14.0, 26.0, 28.0]);
/// ```
///
/// # Panics
/// As [`try_affine_cols`].
#[track_caller]
pub fn affine_cols<'t, M, K, N, B>(
    w: BVar<'t, L<M, K, B>>,
    x: BVar<'t, L<K, N, B>>,
    b: BVar<'t, R<M, B>>,
) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    K: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_affine_cols(w, x, b))
}

/// [`affine_cols`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"affine_cols"`) if `X`'s number of rows is not `W`'s
/// number of columns or `b`'s length not `W`'s number of rows (possible only for run-time
/// sizes).
pub fn try_affine_cols<'t, M, K, N, B>(
    w: BVar<'t, L<M, K, B>>,
    x: BVar<'t, L<K, N, B>>,
    b: BVar<'t, R<M, B>>,
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    K: Dim,
    N: Dim,
    B: Backend,
{
    const OP: &str = "affine_cols";
    let (rows, n) = (w.value().shape().0, x.value().shape().1);
    crate::ops::support::shapes::agree(
        OP,
        "the bias's length and W's number of rows",
        (b.value().len(), rows),
        || format!("{} entries and {rows} rows", b.value().len()),
    )?;
    let one = one::<B::Real>();
    // The bias in every column (a rank-one product with 1ᵀ, into storage from the pool), then
    // W·X added onto it.
    let mut y = L::wrap(products::outer::<B::Real, B>(
        one,
        b.value().data(),
        &ones::<B>(n),
    ));
    B::gemm(
        y.data_mut(),
        one,
        w.value().data(),
        No,
        x.value().data(),
        No,
        one,
    )
    .map_err(|e| e.with_op(OP))?;
    Ok(rule3(w, x, b, y, move |cx, (iw, ix, ib), _, dy| {
        let (w, x) = (cx.value(iw), cx.value(ix));
        pull_product(cx, iw, &dy, No, &x, Yes);
        pull_product(cx, ix, &w, Yes, &dy, No);
        if cx.wants(ib) {
            pull_matvec(cx, ib, &dy, No, &Val::Own(R::<N, B>::wrap(ones::<B>(n))));
        }
    }))
}

/// `Y = M + v·1ᵀ`: `v` added to every column of `M`, as a layer adds its bias to a batch of
/// samples stored as columns.
///
/// Gradient: `M̄ = Ȳ`, `v̄ = Ȳ·1` (the row sums of `Ȳ`). Unlike `m + outer(v, ones)` it stores
/// no `M × N` outer product and passes `Ȳ` on to `M` without copying it.
///
/// ```
/// use backprop_linalg::typenum::{U2, U3};
/// use backprop_linalg::{L, R, add_to_cols, grad_bp2, sum_elements};
///
/// let m = L::<U2, U3>::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let v = R::<U2>::from_slice(&[10.0, 20.0]);
/// let (gm, gv) = grad_bp2(|m, v| sum_elements(add_to_cols(m, v)), &m, &v);
/// assert_eq!(gm, L::konst(1.0));
/// assert_eq!(gv.to_vec(), [3.0, 3.0]);
/// ```
///
/// # Panics
/// As [`try_add_to_cols`].
#[track_caller]
pub fn add_to_cols<'t, M, N, B>(
    m: BVar<'t, L<M, N, B>>,
    v: BVar<'t, R<M, B>>,
) -> BVar<'t, L<M, N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_add_to_cols(m, v))
}

/// [`add_to_cols`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"add_to_cols"`) if `v`'s length is not `M`'s number of
/// rows (possible only for a run-time `M`).
pub fn try_add_to_cols<'t, M, N, B>(
    m: BVar<'t, L<M, N, B>>,
    v: BVar<'t, R<M, B>>,
) -> Result<BVar<'t, L<M, N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let n = m.value().shape().1;
    let mut y = m.value().clone();
    B::ger(
        y.data_mut(),
        one::<B::Real>(),
        v.value().data(),
        &ones::<B>(n),
        one::<B::Real>(),
    )
    .map_err(|e| e.with_op("add_to_cols"))?;
    Ok(rule2(m, v, y, move |cx, im, iv, _, dy| {
        if cx.wants(iv) {
            pull_matvec(cx, iv, &dy, No, &Val::Own(R::<N, B>::wrap(ones::<B>(n))));
        }
        cx.add(im, dy);
    }))
}
