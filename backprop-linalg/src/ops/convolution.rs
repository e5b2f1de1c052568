//! Convolutions (hmatrix's `conv`, `corr`, `conv2`, `corr2`; hmatrix-backprop's README lists
//! statically sized convolutions as its next step): [`conv`] and [`conv2`] (full convolution,
//! the polynomial product), [`corr`] and [`corr2`] (valid correlation: the kernel slid over
//! the signal without padding), each with a `try_` form and the output size computed in the
//! type ([`ConvLen`], [`CorrLen`]).
//!
//! Computed directly (`O(size(k)·size(x))`, no FFT), which is the fast way for the small
//! kernels these serve, by one kernel shared by the vector and matrix forms (a vector is a
//! one-row grid). Each gradient is a convolution or correlation again:
//!
//! | op | `k̄` | `x̄` |
//! |---|---|---|
//! | `y = conv(k, x)`, `yᵢ = Σₐ kₐ·xᵢ₋ₐ` | `corr(x, ȳ)` | `corr(k, ȳ)` |
//! | `y = corr(k, x)`, `yᵢ = Σₐ kₐ·xᵢ₊ₐ` | `corr(ȳ, x)` | `conv(k, ȳ)` |
//!
//! and the same in two dimensions.

use backprop_backend::validate::shape_str;
use backprop_core::{BVar, Backprop, Val};

use crate::backend::{Backend, LinalgError, Real, or_fail, zero};
use crate::dim::{ConvLen, CorrLen, Dim, DimConv, DimCorr};
use crate::ops::support::in_backward;
use crate::ops::support::record::rule2;
use crate::{L, R};

/// Entries of a vector or matrix, row-major, with its shape (a vector is one row).
struct Grid<T> {
    v: Vec<T>,
    rows: usize,
    cols: usize,
}

/// The vectors and matrices the convolutions take: read as, and built from, a [`Grid`].
trait Signal<B: Backend>: Backprop {
    /// `"vector"` or `"matrix"`: how shape errors describe an operand.
    const KIND: &'static str;
    fn grid(&self) -> Grid<B::Real>;
    /// From a grid whose shape the caller has checked against the type.
    fn from_grid(g: &Grid<B::Real>) -> Self;
}

impl<N: Dim, B: Backend> Signal<B> for R<N, B> {
    const KIND: &'static str = "vector";
    fn grid(&self) -> Grid<B::Real> {
        let v = self.to_vec();
        let cols = v.len();
        Grid { v, rows: 1, cols }
    }
    fn from_grid(g: &Grid<B::Real>) -> Self {
        R::from_slice(&g.v)
    }
}

impl<M: Dim, N: Dim, B: Backend> Signal<B> for L<M, N, B> {
    const KIND: &'static str = "matrix";
    fn grid(&self) -> Grid<B::Real> {
        let (rows, cols) = self.shape();
        Grid {
            v: self.to_row_major(),
            rows,
            cols,
        }
    }
    fn from_grid(g: &Grid<B::Real>) -> Self {
        L::from_row_major_shape(g.rows, g.cols, &g.v)
    }
}

/// The full convolution `yᵢⱼ = Σₐᵦ kₐᵦ·xᵢ₋ₐ,ⱼ₋ᵦ` (both operands non-empty), of shape
/// `(rows(x) + rows(k) − 1) × (cols(x) + cols(k) − 1)`.
fn full_conv<T: Real>(k: &Grid<T>, x: &Grid<T>) -> Grid<T> {
    let (rows, cols) = (x.rows + k.rows - 1, x.cols + k.cols - 1);
    let mut v = vec![zero::<T>(); rows * cols];
    for i in 0..x.rows {
        for j in 0..x.cols {
            let xij = x.v[i * x.cols + j];
            for a in 0..k.rows {
                let out = &mut v[(i + a) * cols + j..][..k.cols];
                let kernel = &k.v[a * k.cols..][..k.cols];
                for (o, &kab) in out.iter_mut().zip(kernel) {
                    *o += kab * xij;
                }
            }
        }
    }
    Grid { v, rows, cols }
}

/// The valid correlation `yᵢⱼ = Σₐᵦ kₐᵦ·xᵢ₊ₐ,ⱼ₊ᵦ` (`k` no larger than `x` either way), of shape
/// `(rows(x) − rows(k) + 1) × (cols(x) − cols(k) + 1)`.
fn valid_corr<T: Real>(k: &Grid<T>, x: &Grid<T>) -> Grid<T> {
    let (rows, cols) = (x.rows + 1 - k.rows, x.cols + 1 - k.cols);
    let mut v = vec![zero::<T>(); rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            let mut sum = zero::<T>();
            for a in 0..k.rows {
                let window = &x.v[(i + a) * x.cols + j..][..k.cols];
                let kernel = &k.v[a * k.cols..][..k.cols];
                for (&kab, &xv) in kernel.iter().zip(window) {
                    sum += kab * xv;
                }
            }
            v[i * cols + j] = sum;
        }
    }
    Grid { v, rows, cols }
}

/// Full convolution or valid correlation.
#[derive(Clone, Copy)]
enum Mode {
    Conv,
    Corr,
}

/// `conv(k, x)` or `corr(k, x)` for any [`Signal`] types, recorded with the pullback of the
/// module documentation's table. Refuses an empty operand, and for `corr` a kernel larger than
/// the signal (possible only with run-time sizes).
fn try_filter<'t, B, K, X, Y>(
    op: &'static str,
    mode: Mode,
    k: BVar<'t, K>,
    x: BVar<'t, X>,
) -> Result<BVar<'t, Y>, LinalgError>
where
    B: Backend,
    K: Signal<B>,
    X: Signal<B>,
    Y: Signal<B>,
{
    let (kg, xg) = (k.value().grid(), x.value().grid());
    let fits = match mode {
        Mode::Conv => true,
        Mode::Corr => kg.rows <= xg.rows && kg.cols <= xg.cols,
    };
    if kg.v.is_empty() || xg.v.is_empty() || !fits {
        let expected = match mode {
            Mode::Conv => "non-empty operands".to_owned(),
            Mode::Corr => format!("a non-empty kernel no larger than the {}", X::KIND),
        };
        let describe = |g: &Grid<B::Real>| match X::KIND {
            "vector" => format!("{} entries", g.cols),
            _ => shape_str((g.rows, g.cols)),
        };
        return Err(LinalgError::ShapeMismatch {
            op,
            expected,
            found: format!(
                "a kernel of {} and a {} of {}",
                describe(&kg),
                X::KIND,
                describe(&xg)
            ),
        });
    }
    let y = match mode {
        Mode::Conv => full_conv(&kg, &xg),
        Mode::Corr => valid_corr(&kg, &xg),
    };
    // The rule's terms are filters too (the module documentation's table), of quantities of
    // the rule: so it differentiates again.
    Ok(rule2(k, x, Y::from_grid(&y), move |cx, ik, ix, _, dy| {
        if cx.wants(ik) {
            let x = cx.value(ix);
            let dk: Val<'_, K> = match mode {
                Mode::Conv => filter_of(op, Mode::Corr, &x, &dy),
                Mode::Corr => filter_of(op, Mode::Corr, &dy, &x),
            };
            cx.add(ik, dk);
        }
        if cx.wants(ix) {
            let k = cx.value(ik);
            let dx: Val<'_, X> = match mode {
                Mode::Conv => filter_of(op, Mode::Corr, &k, &dy),
                Mode::Corr => filter_of(op, Mode::Conv, &k, &dy),
            };
            cx.add(ix, dx);
        }
    }))
}

/// `conv(k, x)` or `corr(k, x)` of quantities of a rule: computed on plain values, recorded
/// (with its own rule) on variables.
fn filter_of<'v, B, K, X, Y>(
    op: &'static str,
    mode: Mode,
    k: &Val<'v, K>,
    x: &Val<'v, X>,
) -> Val<'v, Y>
where
    B: Backend,
    K: Signal<B>,
    X: Signal<B>,
    Y: Signal<B>,
{
    match k.tape().or(x.tape()) {
        Some(tape) => Val::Var(in_backward(
            op,
            try_filter(op, mode, k.to_var(tape), x.to_var(tape)),
        )),
        None => {
            let (kg, xg) = (k.get().grid(), x.get().grid());
            Val::Own(Y::from_grid(&match mode {
                Mode::Conv => full_conv(&kg, &xg),
                Mode::Corr => valid_corr(&kg, &xg),
            }))
        }
    }
}

/// The full convolution of a signal `x` (length `N`) with a kernel `k` (length `K`):
/// `yᵢ = Σₐ kₐ·xᵢ₋ₐ`, length `N + K − 1` (hmatrix's `conv`; the coefficients of the product of
/// the polynomials with coefficients `k` and `x`; symmetric in its operands).
///
/// Gradient: `k̄ = corr(x, ȳ)`, `x̄ = corr(k, ȳ)` (the correlation of each operand with the
/// cotangent).
///
/// ```
/// use backprop_linalg::{R, conv, eval_bp2};
/// use backprop_linalg::typenum::{U2, U3};
///
/// // (1 + x)·(−1 + 0·x + x²) = −1 − x + x² + x³
/// let k = R::<U2>::from_slice(&[1.0, 1.0]);
/// let x = R::<U3>::from_slice(&[-1.0, 0.0, 1.0]);
/// assert_eq!(eval_bp2(conv, &k, &x).to_vec(), [-1.0, -1.0, 1.0, 1.0]);
/// ```
///
/// # Panics
/// As [`try_conv`].
#[track_caller]
pub fn conv<'t, K, N, B>(
    k: BVar<'t, R<K, B>>,
    x: BVar<'t, R<N, B>>,
) -> BVar<'t, R<ConvLen<N, K>, B>>
where
    K: Dim,
    N: DimConv<K>,
    B: Backend,
{
    or_fail(try_conv(k, x))
}

/// [`conv`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (naming `conv`) if an operand is empty (possible only with
/// run-time sizes).
#[allow(clippy::type_complexity)]
pub fn try_conv<'t, K, N, B>(
    k: BVar<'t, R<K, B>>,
    x: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<ConvLen<N, K>, B>>, LinalgError>
where
    K: Dim,
    N: DimConv<K>,
    B: Backend,
{
    try_filter("conv", Mode::Conv, k, x)
}

/// The valid correlation of a kernel `k` (length `K`) over a signal `x` (length `N ≥ K`):
/// `yᵢ = Σₐ kₐ·xᵢ₊ₐ`, length `N − K + 1` (hmatrix's `corr`: the kernel slid over the signal
/// without padding; a convolution with the kernel reversed).
///
/// Gradient: `k̄ = corr(ȳ, x)`, `x̄ = conv(k, ȳ)`.
///
/// ```
/// use backprop_linalg::{R, corr, eval_bp2};
/// use backprop_linalg::typenum::{U3, U5};
///
/// let k = R::<U3>::from_slice(&[1.0, 2.0, 3.0]);
/// let x = R::<U5>::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0]);
/// assert_eq!(eval_bp2(corr, &k, &x).to_vec(), [14.0, 20.0, 26.0]);
/// ```
///
/// # Panics
/// As [`try_corr`].
#[track_caller]
pub fn corr<'t, K, N, B>(
    k: BVar<'t, R<K, B>>,
    x: BVar<'t, R<N, B>>,
) -> BVar<'t, R<CorrLen<N, K>, B>>
where
    K: Dim,
    N: DimCorr<K>,
    B: Backend,
{
    or_fail(try_corr(k, x))
}

/// [`corr`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (naming `corr`) if the kernel is empty or longer than the
/// signal (possible only with run-time sizes: with static ones the compiler checks `K ≤ N`).
#[allow(clippy::type_complexity)]
pub fn try_corr<'t, K, N, B>(
    k: BVar<'t, R<K, B>>,
    x: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, R<CorrLen<N, K>, B>>, LinalgError>
where
    K: Dim,
    N: DimCorr<K>,
    B: Backend,
{
    try_filter("corr", Mode::Corr, k, x)
}

/// The full two-dimensional convolution of a matrix `x` (`M×N`) with a kernel `k` (`P×Q`):
/// `yᵢⱼ = Σₐᵦ kₐᵦ·xᵢ₋ₐ,ⱼ₋ᵦ`, of size `(M + P − 1)×(N + Q − 1)` (hmatrix's `conv2`).
///
/// Gradient: `k̄ = corr2(x, ȳ)`, `x̄ = corr2(k, ȳ)`.
///
/// # Panics
/// As [`try_conv2`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn conv2<'t, P, Q, M, N, B>(
    k: BVar<'t, L<P, Q, B>>,
    x: BVar<'t, L<M, N, B>>,
) -> BVar<'t, L<ConvLen<M, P>, ConvLen<N, Q>, B>>
where
    P: Dim,
    Q: Dim,
    M: DimConv<P>,
    N: DimConv<Q>,
    B: Backend,
{
    or_fail(try_conv2(k, x))
}

/// [`conv2`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (naming `conv2`) if an operand is empty.
#[allow(clippy::type_complexity)]
pub fn try_conv2<'t, P, Q, M, N, B>(
    k: BVar<'t, L<P, Q, B>>,
    x: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, L<ConvLen<M, P>, ConvLen<N, Q>, B>>, LinalgError>
where
    P: Dim,
    Q: Dim,
    M: DimConv<P>,
    N: DimConv<Q>,
    B: Backend,
{
    try_filter("conv2", Mode::Conv, k, x)
}

/// The valid two-dimensional correlation of a kernel `k` (`P×Q`) over a matrix `x` (`M×N`,
/// `P ≤ M`, `Q ≤ N`): `yᵢⱼ = Σₐᵦ kₐᵦ·xᵢ₊ₐ,ⱼ₊ᵦ`, of size `(M − P + 1)×(N − Q + 1)` (hmatrix's
/// `corr2`; what convolutional networks call a convolution).
///
/// Gradient: `k̄ = corr2(ȳ, x)`, `x̄ = conv2(k, ȳ)`.
///
/// ```
/// use backprop_linalg::{L, corr2, eval_bp2};
/// use backprop_linalg::typenum::{U2, U3};
///
/// // A 2×2 box filter over a 3×3 image: the sums of its four 2×2 windows.
/// let k = L::<U2, U2>::from_row_major(&[1.0; 4]);
/// let x = L::<U3, U3>::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
/// assert_eq!(eval_bp2(corr2, &k, &x).to_row_major(), [12.0, 16.0, 24.0, 28.0]);
/// ```
///
/// # Panics
/// As [`try_corr2`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn corr2<'t, P, Q, M, N, B>(
    k: BVar<'t, L<P, Q, B>>,
    x: BVar<'t, L<M, N, B>>,
) -> BVar<'t, L<CorrLen<M, P>, CorrLen<N, Q>, B>>
where
    P: Dim,
    Q: Dim,
    M: DimCorr<P>,
    N: DimCorr<Q>,
    B: Backend,
{
    or_fail(try_corr2(k, x))
}

/// [`corr2`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (naming `corr2`) if the kernel is empty or larger than the
/// matrix in either direction (possible only with run-time sizes).
#[allow(clippy::type_complexity)]
pub fn try_corr2<'t, P, Q, M, N, B>(
    k: BVar<'t, L<P, Q, B>>,
    x: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, L<CorrLen<M, P>, CorrLen<N, Q>, B>>, LinalgError>
where
    P: Dim,
    Q: Dim,
    M: DimCorr<P>,
    N: DimCorr<Q>,
    B: Backend,
{
    try_filter("corr2", Mode::Corr, k, x)
}
