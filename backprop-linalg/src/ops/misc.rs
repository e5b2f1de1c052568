//! Miscellaneous operations: [`konst`], [`extract_v`], [`extract_m`], [`create`],
//! [`take_diag`], [`diag_r`], and the [`StaticallySized`] trait that relates a statically sized
//! type to its run-time sized counterpart (hmatrix's `Sized` class).

use backprop_core::{BVar, Backprop};
use typenum::Unsigned;

use crate::backend::{Backend, LinalgError, fail};
use crate::dense::{Dense, StorageKind, sum};
use crate::ops::record::{record1, record2};
use crate::{L, Matrix, R, Sq, Vector};

/// A statically sized vector or matrix and its dynamically sized counterpart, with the same
/// storage (hmatrix's `Sized` class): [`R<N>`](R) ↔ [`Vector`], [`L<M, N>`](L) ↔ [`Matrix`].
pub trait StaticallySized<B: Backend>: Dense<B> + Backprop {
    /// The run-time sized type with the same storage.
    type Dynamic: Dense<B, Kind = Self::Kind> + Backprop;

    /// The shape as `(rows, cols)`; `(N, 1)` for a vector.
    const SHAPE: (usize, usize);

    /// Every entry equal to `x`.
    fn filled(x: f64) -> Self;

    /// A shape as the messages of this type describe it (`"3 entries"`, `"3×2"`).
    fn describe(shape: (usize, usize)) -> String;
}

impl<N: Unsigned + 'static, B: Backend> StaticallySized<B> for R<N, B> {
    type Dynamic = Vector<B>;
    const SHAPE: (usize, usize) = (N::USIZE, 1);
    fn filled(x: f64) -> Self {
        R::konst(x)
    }
    fn describe((n, _): (usize, usize)) -> String {
        format!("{n} entries")
    }
}

impl<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend> StaticallySized<B> for L<M, N, B> {
    type Dynamic = Matrix<B>;
    const SHAPE: (usize, usize) = (M::USIZE, N::USIZE);
    fn filled(x: f64) -> Self {
        L::konst(x)
    }
    fn describe((m, n): (usize, usize)) -> String {
        format!("{m}×{n}")
    }
}

/// `d` as the static type `T`, if its shape is `T`'s; the error names `op`.
fn to_static<B: Backend, T: StaticallySized<B>>(
    op: &'static str,
    d: &T::Dynamic,
) -> Result<T, LinalgError> {
    let found = T::Kind::shape(d.data());
    if found != T::SHAPE {
        return Err(LinalgError::ShapeMismatch {
            op,
            expected: T::describe(T::SHAPE),
            found: T::describe(found),
        });
    }
    Ok(T::wrap(d.data().clone()))
}

/// The vector or matrix with every entry equal to `x` (hmatrix's `konst`).
///
/// Gradient: `x̄ = Σᵢⱼ Ȳᵢⱼ`.
///
/// ```
/// use backprop_linalg::{grad_bp, konst, sum_elements, L, typenum::{U2, U3}};
/// // Σ of a 2×3 matrix filled with x: d/dx = 6
/// let g = grad_bp(|x| sum_elements(konst::<L<U2, U3>, _>(x)), &1.5);
/// assert_eq!(g, 6.0);
/// ```
pub fn konst<'t, T, B>(x: BVar<'t, f64>) -> BVar<'t, T>
where
    T: StaticallySized<B>,
    B: Backend,
{
    let c = *x.value();
    let value = T::filled(c);
    record1(x, value, |ctx, ix, _, dy: T| {
        ctx.add(ix, sum::<B, T>(&dy));
    })
}

/// Records the conversion of a static variable to its dynamic counterpart; the cotangent must
/// have the static shape.
fn extract<'t, T, B>(op: &'static str, x: BVar<'t, T>) -> BVar<'t, T::Dynamic>
where
    T: StaticallySized<B>,
    B: Backend,
{
    let value = T::Dynamic::wrap(x.value().data().clone());
    record1(x, value, move |ctx, ix, _, dy| {
        let grad = to_static::<B, T>(op, &dy).unwrap_or_else(|e| {
            panic!("{op}: the cotangent of the extracted value has the wrong shape: {e}")
        });
        ctx.add(ix, grad);
    })
}

/// The vector as a run-time sized [`Vector`] (hmatrix's `extractV`).
///
/// Gradient: `x̄ = v̄` (same entries).
///
/// # Panics
/// In the backward pass, if the cotangent given to the result (by a seed of
/// [`backprop_with`](crate::backprop_with), say) is not of length `N`. hmatrix-backprop
/// truncates or zero-pads it instead; a wrong length here is a bug in the caller, reported
/// rather than hidden.
pub fn extract_v<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, Vector<B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    extract("extract_v", x)
}

/// The matrix as a run-time sized [`Matrix`] (hmatrix's `extractM`).
///
/// Gradient: `Ā = M̄` (same entries).
///
/// # Panics
/// In the backward pass, if the cotangent given to the result is not `M×N` (see
/// [`extract_v`]).
pub fn extract_m<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, Matrix<B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    B: Backend,
{
    extract("extract_m", a)
}

/// The run-time sized vector or matrix `d` as the static type `T` (hmatrix's `create`, which
/// returns `Maybe`).
///
/// Gradient: `d̄ = ȳ` as a dynamic value of the same entries.
///
/// ```
/// use backprop_linalg::{eval_bp, try_create, Vector, R, typenum::U3};
/// let v = Vector::from_slice(&[1.0, 2.0, 3.0]);
/// let r: R<U3> = eval_bp(|v| try_create(v).expect("three entries"), &v);
/// assert_eq!(r.to_vec(), vec![1.0, 2.0, 3.0]);
/// ```
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"create"`) when `d`'s shape is not `T`'s.
pub fn try_create<'t, T, B>(d: BVar<'t, T::Dynamic>) -> Result<BVar<'t, T>, LinalgError>
where
    T: StaticallySized<B>,
    B: Backend,
{
    let value = to_static::<B, T>("create", d.value())?;
    Ok(record1(d, value, |ctx, id, _, dy: T| {
        ctx.add(id, T::Dynamic::wrap(dy.data().clone()));
    }))
}

/// [`try_create`], panicking on a shape mismatch.
///
/// # Panics
/// When `d`'s shape is not `T`'s, with the message of the `try_` form.
#[track_caller]
pub fn create<'t, T, B>(d: BVar<'t, T::Dynamic>) -> BVar<'t, T>
where
    T: StaticallySized<B>,
    B: Backend,
{
    try_create(d).unwrap_or_else(|e| fail(e))
}

/// The diagonal of a square matrix (hmatrix's `takeDiag`).
///
/// Gradient: `Ā = diag(ȳ)`, added onto the diagonal of `A`'s gradient in place.
pub fn take_diag<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, R<N, B>>
where
    N: Unsigned + 'static,
    B: Backend,
{
    let value = R::wrap(B::mat_diag(a.value().data()));
    record1(a, value, |ctx, ia, _, dy: R<N, B>| {
        ctx.accumulate(
            ia,
            |g| {
                let g = g.data_mut();
                for i in 0..N::USIZE {
                    let v = B::mat_get(g, i, i) + dy.get(i);
                    B::mat_set(g, i, i, v);
                }
            },
            || L::wrap(B::mat_from_diag(dy.data())),
        );
    })
}

/// The `M×N` matrix with `v` on its diagonal and `c` everywhere else (hmatrix's `diagR`).
///
/// With `d = min(K, M, N)`: `Yᵢᵢ = vᵢ` for `i < d`, every other entry is `c`. So when `v` is
/// shorter than the diagonal (`K < min(M, N)`) the rest of the diagonal is `c`, and when it is
/// longer its entries past `min(M, N)` are not used (this is hmatrix's `diagRect`).
///
/// Gradient: `v̄ᵢ = Ȳᵢᵢ` for `i < d` and `0` for the unused entries; `c̄ = Σ Ȳ` over every cell
/// not holding an entry of `v`. hmatrix-backprop crashes when `K ≠ min(M, N)`.
///
/// ```
/// use backprop_linalg::{eval_bp, diag_r, R, L, typenum::{U2, U3}};
/// let v: R<U2> = R::from_slice(&[1.0, 2.0]);
/// let y: L<U3, U3> = eval_bp(|v| diag_r(v.tape().constant(9.0), v), &v);
/// assert_eq!(y.to_row_major(), vec![1.0, 9.0, 9.0, 9.0, 2.0, 9.0, 9.0, 9.0, 9.0]);
/// ```
#[doc(alias = "diagR")]
pub fn diag_r<'t, M, N, K, B>(c: BVar<'t, f64>, v: BVar<'t, R<K, B>>) -> BVar<'t, L<M, N, B>>
where
    M: Unsigned + 'static,
    N: Unsigned + 'static,
    K: Unsigned + 'static,
    B: Backend,
{
    let d = K::USIZE.min(M::USIZE).min(N::USIZE);
    let (cv, vv) = (*c.value(), v.value());
    let value = L::from_fn(|i, j| if i == j && i < d { vv.get(i) } else { cv });
    record2(c, v, value, move |ctx, ic, iv, _, dy: L<M, N, B>| {
        let on_diagonal = |i| if i < d { dy.get(i, i) } else { 0.0 };
        if ctx.wants(ic) {
            let diagonal: f64 = (0..d).map(on_diagonal).sum();
            ctx.add(ic, sum::<B, _>(&dy) - diagonal);
        }
        if ctx.wants(iv) {
            ctx.add(iv, R::from_fn(on_diagonal));
        }
    })
}
