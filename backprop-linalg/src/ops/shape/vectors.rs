//! Vector construction: [`vec2`], [`vec3`], [`vec4`], [`snoc`] (hmatrix's `&`), [`append`]
//! (`#`), [`split`], [`head_tail`], [`vector`] (hmatrix's `vector`), [`linspace`],
//! and the constants [`range`] and [`dim`].
//!
//! Lengths are [`Dim`]s. Static lengths are checked by the compiler: `append` of `R<N>` and
//! `R<M>` is an `R<Sum<N, M>>`, `split::<P>` of an `R<N>` needs `P ≤ N`, `snoc` gives an
//! `R<Add1<N>>`. With a run-time length ([`Dyn`]) the result's length is `Dyn` and the `try_`
//! forms check what the type cannot ([`try_split`], [`try_head_tail`]); [`split_at`] splits at a
//! run-time point, [`linspace_n`] makes a run-time number of points.

use backprop_core::{BVar, Join};
use typenum::{U1, U2, U3, U4};

use crate::R;
use crate::backend::{Backend, LinalgError, count, lit, one, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::dim::{Dim, DimAdd, DimDiff, DimSub, DimSum, Dyn, StaticDim};
use crate::ops::support::linear::Linear;
use crate::ops::support::place::{check_count, concat, gather, parts};

/// The vector `[x, y]` (hmatrix's `vec2`).
///
/// Gradient: `x̄ = ȳ₀`, `ȳ = ȳ₁`.
pub fn vec2<'t, B: Backend>(x: BVar<'t, B::Real>, y: BVar<'t, B::Real>) -> BVar<'t, R<U2, B>> {
    vector(&[x, y])
}

/// The vector `[x, y, z]` (hmatrix's `vec3`).
///
/// Gradient: the cotangent's entries, one to each input.
pub fn vec3<'t, B: Backend>(
    x: BVar<'t, B::Real>,
    y: BVar<'t, B::Real>,
    z: BVar<'t, B::Real>,
) -> BVar<'t, R<U3, B>> {
    vector(&[x, y, z])
}

/// The vector `[x, y, z, w]` (hmatrix's `vec4`).
///
/// Gradient: the cotangent's entries, one to each input.
pub fn vec4<'t, B: Backend>(
    x: BVar<'t, B::Real>,
    y: BVar<'t, B::Real>,
    z: BVar<'t, B::Real>,
    w: BVar<'t, B::Real>,
) -> BVar<'t, R<U4, B>> {
    vector(&[x, y, z, w])
}

/// The vector of the scalar variables `xs` (hmatrix's `vector`), of length `N` (any length for
/// `N` = [`Dyn`]); arrays and `Vec`s coerce: `vector(&[a, b, c])`.
///
/// Gradient: `x̄ᵢ = ȳᵢ`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"vector"`) when `xs` does not hold exactly `N` variables,
/// or is empty (there is then no tape to record on; use `tape.constant(R::zeros())`).
pub fn try_vector<'t, N, B>(xs: &[BVar<'t, B::Real>]) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    let n = N::STATIC.unwrap_or(xs.len());
    check_count("vector", xs, n, "scalar variables")?;
    Ok(gather(
        xs,
        move |xs| R::wrap(B::vec_from_fn(n, |i| xs[i])),
        |dy: &R<N, B>, i| dy.get(i),
    ))
}

/// [`try_vector`], panicking on a wrong length.
///
/// ```
/// use backprop_linalg::{grad_bp, sum_elements, vector, DefaultBackend, typenum::U3};
/// // Σ [x, 2x, x²] at x = 3: d/dx = 1 + 2 + 2x = 9
/// let g = grad_bp(
///     |x| sum_elements(vector::<U3, DefaultBackend>(&[x, x * 2.0, x * x])),
///     &3.0,
/// );
/// assert_eq!(g, 9.0);
/// ```
///
/// # Panics
/// When `xs` does not hold exactly `N` variables, with the message of the `try_` form.
#[track_caller]
pub fn vector<'t, N, B>(xs: &[BVar<'t, B::Real>]) -> BVar<'t, R<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_vector(xs))
}

/// `x` with `s` appended (hmatrix's `&`).
///
/// Gradient: `x̄ = ȳ[0..N]`, `s̄ = ȳ_N`.
#[doc(alias = "&")]
pub fn snoc<'t, N, B>(x: BVar<'t, R<N, B>>, s: BVar<'t, B::Real>) -> BVar<'t, R<DimSum<N, U1>, B>>
where
    N: DimAdd<U1>,
    B: Backend,
{
    let n = x.value().len();
    let value = join(x.value(), &R::<U1, B>::konst(*s.value()));
    concat(
        x,
        s,
        value,
        |x, s| join(x, &R::<U1, B>::konst(*s)),
        move |dy: &R<DimSum<N, U1>, B>| {
            let (dx, ds) = cut::<N, U1, _, B>(dy, n);
            (dx, ds.get(0))
        },
    )
}

/// `a ⧺ b`.
fn join<P: Dim, Q: Dim, N: Dim, B: Backend>(a: &R<P, B>, b: &R<Q, B>) -> R<N, B> {
    R::wrap(B::vec_concat(a.data(), b.data()))
}

/// `v` cut into its first `p` entries and the rest (`p` at most the length, which the callers
/// check).
fn cut<P: Dim, Q: Dim, N: Dim, B: Backend>(v: &R<N, B>, p: usize) -> (R<P, B>, R<Q, B>) {
    let n = v.len();
    (
        R::wrap(sized(B::vec_slice(v.data(), 0..p))),
        R::wrap(sized(B::vec_slice(v.data(), p..n))),
    )
}

/// The concatenation `x ⧺ y` (hmatrix's `#`); its length is `Sum<N, M>`, or [`Dyn`] when
/// either is.
///
/// Gradient: `x̄ = ȳ[0..N]`, `ȳ' = ȳ[N..N+M]`.
#[doc(alias = "#")]
pub fn append<'t, N, M, B>(
    x: BVar<'t, R<N, B>>,
    y: BVar<'t, R<M, B>>,
) -> BVar<'t, R<DimSum<N, M>, B>>
where
    N: DimAdd<M>,
    M: Dim,
    B: Backend,
{
    let n = x.value().len();
    let value = join(x.value(), y.value());
    concat(x, y, value, join, move |dy| cut(dy, n))
}

/// The first `P` entries of `x` and the remaining `N − P`, as one variable of a pair (hmatrix's
/// `split`; `P ≤ N` is checked by the compiler for a static `N`, by [`try_split`] at run time
/// for `N` = [`Dyn`]). Take the parts with the method [`BVar::split`]:
/// `let (a, b) = split::<P, _, _>(x).split();`.
///
/// Gradient: `x̄ = ā ⧺ b̄`; a part that is not used contributes zero.
///
/// ```
/// use backprop_linalg::{eval_bp, split, R, typenum::{U2, U5}};
/// let x: R<U5> = R::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0]);
/// let tail = eval_bp(|x| split::<U2, _, _>(x).split().1, &x);
/// assert_eq!(tail.to_vec(), vec![3.0, 4.0, 5.0]);
/// ```
///
/// Splitting past the end does not compile (`P ≤ N` fails):
///
/// ```compile_fail,E0277
/// use backprop_linalg::{eval_bp, split, R, typenum::{U3, U4}};
/// let x: R<U3> = R::zeros();
/// let head = eval_bp(|x| split::<U4, _, _>(x).split().0, &x);
/// ```
///
/// # Panics
/// As [`try_split`].
// The pair of parts is the signature; an alias would only hide the shapes.
#[allow(clippy::type_complexity)]
#[track_caller]
pub fn split<'t, P, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, (R<P, B>, R<DimDiff<N, P>, B>)>
where
    P: StaticDim,
    N: DimSub<P>,
    B: Backend,
{
    or_fail(try_split(x))
}

/// [`split`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"split"`) if `x` has fewer than `P` entries (possible
/// only for a run-time length).
#[allow(clippy::type_complexity)]
pub fn try_split<'t, P, N, B>(
    x: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, (R<P, B>, R<DimDiff<N, P>, B>)>, LinalgError>
where
    P: StaticDim,
    N: DimSub<P>,
    B: Backend,
{
    split_parts("split", x, P::SIZE)
}

/// `x` cut at `k` into two run-time sized vectors: the first `k` entries and the rest, as one
/// variable of a pair (take the parts with [`BVar::split`]). The split point a type cannot carry.
///
/// Gradient: `x̄ = ā ⧺ b̄`.
///
/// # Panics
/// As [`try_split_at`].
#[allow(clippy::type_complexity)]
#[track_caller]
pub fn split_at<'t, N, B>(x: BVar<'t, R<N, B>>, k: usize) -> BVar<'t, (R<Dyn, B>, R<Dyn, B>)>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_split_at(x, k))
}

/// [`split_at`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"split_at"`) if `k` is past the end of `x`.
#[allow(clippy::type_complexity)]
pub fn try_split_at<'t, N, B>(
    x: BVar<'t, R<N, B>>,
    k: usize,
) -> Result<BVar<'t, (R<Dyn, B>, R<Dyn, B>)>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    split_parts("split_at", x, k)
}

/// `x` cut at `k` as one variable of a pair, after checking that `k` is not past its end.
#[allow(clippy::type_complexity)]
fn split_parts<'t, P: Dim, Q: Dim, N: Dim, B: Backend>(
    op: &'static str,
    x: BVar<'t, R<N, B>>,
    k: usize,
) -> Result<BVar<'t, (R<P, B>, R<Q, B>)>, LinalgError> {
    let len = x.value().len();
    if k > len {
        return Err(LinalgError::OutOfBounds {
            op,
            start: 0,
            end: k,
            len,
        });
    }
    Ok(parts(x, move |x| cut(x, k), |(a, b)| join(a, b)))
}

/// The first entry of `x` and the rest, as one variable of a pair (hmatrix's `headTail`;
/// `N ≥ 1` is checked by the compiler for a static `N`, by [`try_head_tail`] for a run-time
/// one). Take the parts with [`BVar::split`].
///
/// Gradient: `x̄ = [h̄] ⧺ t̄`; a part that is not used contributes zero.
///
/// An empty vector has no head, and does not compile:
///
/// ```compile_fail,E0277
/// use backprop_linalg::{eval_bp, head_tail, R, typenum::U0};
/// let x: R<U0> = R::zeros();
/// let tail = eval_bp(|x| head_tail(x).split().1, &x);
/// ```
///
/// # Panics
/// As [`try_head_tail`].
#[track_caller]
#[allow(clippy::type_complexity)] // the parts are the signature
pub fn head_tail<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, (B::Real, R<DimDiff<N, U1>, B>)>
where
    N: DimSub<U1>,
    B: Backend,
{
    or_fail(try_head_tail(x))
}

/// [`head_tail`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::OutOfBounds`] (op `"head_tail"`) if `x` is empty (possible only for a
/// run-time length).
#[allow(clippy::type_complexity)] // the parts are the signature
pub fn try_head_tail<'t, N, B>(
    x: BVar<'t, R<N, B>>,
) -> Result<BVar<'t, (B::Real, R<DimDiff<N, U1>, B>)>, LinalgError>
where
    N: DimSub<U1>,
    B: Backend,
{
    let len = x.value().len();
    if len == 0 {
        return Err(LinalgError::OutOfBounds {
            op: "head_tail",
            start: 0,
            end: 1,
            len,
        });
    }
    Ok(parts(
        x,
        |x| {
            let (head, tail) = cut::<U1, DimDiff<N, U1>, N, B>(x, 1);
            (head.get(0), tail)
        },
        |(dh, dt)| join(&R::<U1, B>::konst(*dh), dt),
    ))
}

/// The interpolation weights `tᵢ` of [`linspace`]: `i/(n−1)`, and `1/2` for `n = 1`.
fn linspace_weights<B: Backend>(n: usize) -> impl Fn(usize) -> B::Real + Clone {
    let last = count::<B>(n.max(2) - 1);
    move |i| {
        if n == 1 {
            lit::<B>(0.5)
        } else {
            count::<B>(i) / last
        }
    }
}

/// `N` evenly spaced points from `l` to `u`, both included (hmatrix's `linspace`):
/// `yᵢ = l·(1 − tᵢ) + u·tᵢ` with `tᵢ = i/(N−1)`. For a run-time number of points,
/// [`linspace_n`].
///
/// Gradient: `l̄ = Σᵢ ȳᵢ(1 − tᵢ)`, `ū = Σᵢ ȳᵢ tᵢ`.
///
/// # Edge cases
/// For `N = 1` the single point is the midpoint `(l + u)/2`, as in hmatrix, so `t₀ = 1/2` and
/// `l̄ = ū = ȳ₀/2` (hmatrix-backprop divides by `N − 1 = 0` there and returns NaN). For `N = 0`
/// the vector is empty and both gradients are zero.
///
/// ```
/// use backprop_linalg::{backprop2, linspace, sum_elements, DefaultBackend, typenum::U1};
/// let (y, (dl, du)) =
///     backprop2(|l, u| sum_elements(linspace::<U1, DefaultBackend>(l, u)), &1.0, &3.0);
/// assert_eq!((y, dl, du), (2.0, 0.5, 0.5));
/// ```
pub fn linspace<'t, N, B>(l: BVar<'t, B::Real>, u: BVar<'t, B::Real>) -> BVar<'t, R<N, B>>
where
    N: StaticDim,
    B: Backend,
{
    linspace_of(N::SIZE, l, u)
}

/// [`linspace`] with a run-time number of points `n`.
///
/// Gradient: as [`linspace`].
pub fn linspace_n<'t, B: Backend>(
    n: usize,
    l: BVar<'t, B::Real>,
    u: BVar<'t, B::Real>,
) -> BVar<'t, R<Dyn, B>> {
    linspace_of(n, l, u)
}

fn linspace_of<'t, N: Dim, B: Backend>(
    n: usize,
    l: BVar<'t, B::Real>,
    u: BVar<'t, B::Real>,
) -> BVar<'t, R<N, B>> {
    let t = linspace_weights::<B>(n);
    let one = one::<B::Real>();
    let t2 = t.clone();
    Linear::new(
        move |&(l, u): &(B::Real, B::Real)| {
            R::wrap(B::vec_from_fn(n, |i| l * (one - t(i)) + u * t(i)))
        },
        move |dy: &R<N, B>| {
            let (mut dl, mut du) = (zero::<B::Real>(), zero::<B::Real>());
            for (i, d) in dy.to_vec().into_iter().enumerate() {
                dl += d * (one - t2(i));
                du += d * t2(i);
            }
            (dl, du)
        },
    )
    .record((l, u).join())
}

/// The constant vector `[1, 2, …, N]` (hmatrix's `range`; a plain value: put it on a tape with
/// `tape.constant`).
pub fn range<N: StaticDim, B: Backend>() -> R<N, B> {
    R::from_fn(|i| count::<B>(i + 1))
}

/// The constant vector of length `N` whose every entry is `N` (hmatrix's `dim`; a plain value).
pub fn dim<N: StaticDim, B: Backend>() -> R<N, B> {
    R::konst(count::<B>(N::SIZE))
}
