//! Sizes: [`konst`], [`extract_v`], [`extract_m`], [`create`], and the [`StaticallySized`]
//! trait that relates a statically sized type to its run-time sized counterpart (hmatrix's
//! `Sized` class).

use crate::dim::StaticDim;
use backprop_core::{BVar, Backprop};

use crate::backend::{Backend, LinalgError, or_fail, sized};
use crate::dense::{Construct, Dense, StorageKind, sum};
use crate::ops::support::linear::Linear;
use crate::{L, Matrix, R, Vector};

/// A statically sized vector or matrix and its dynamically sized counterpart, with the same
/// storage (hmatrix's `Sized` class): [`R<N>`](R) ↔ [`Vector`], [`L<M, N>`](L) ↔ [`Matrix`].
pub trait StaticallySized<B: Backend>: Dense<B, B::Real> + Backprop {
    /// The run-time sized type with the same storage.
    type Dynamic: Dense<B, B::Real, Kind = Self::Kind> + Backprop;

    /// The shape as `(rows, cols)`; `(N, 1)` for a vector.
    const SHAPE: (usize, usize);

    /// Every entry equal to `x`.
    fn filled(x: B::Real) -> Self;

    /// A shape as the messages of this type describe it (`"3 entries"`, `"3×2"`).
    fn describe(shape: (usize, usize)) -> String;
}

impl<N: StaticDim, B: Backend> StaticallySized<B> for R<N, B> {
    type Dynamic = Vector<B>;
    const SHAPE: (usize, usize) = (N::SIZE, 1);
    fn filled(x: B::Real) -> Self {
        R::konst(x)
    }
    fn describe((n, _): (usize, usize)) -> String {
        format!("{n} entries")
    }
}

impl<M: StaticDim, N: StaticDim, B: Backend> StaticallySized<B> for L<M, N, B> {
    type Dynamic = Matrix<B>;
    const SHAPE: (usize, usize) = (M::SIZE, N::SIZE);
    fn filled(x: B::Real) -> Self {
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
pub fn konst<'t, T, B>(x: BVar<'t, B::Real>) -> BVar<'t, T>
where
    T: StaticallySized<B>,
    B: Backend,
{
    Linear::new(|c: &B::Real| T::filled(*c), sum::<B, T>).record(x)
}

/// Records the conversion of a static variable to its dynamic counterpart; the cotangent must
/// have the static shape.
fn extract<'t, T, B>(op: &'static str, x: BVar<'t, T>) -> BVar<'t, T::Dynamic>
where
    T: StaticallySized<B>,
    B: Backend,
{
    Linear::new(
        |x: &T| T::Dynamic::wrap(x.data().clone()),
        move |dy| {
            to_static::<B, T>(op, dy).unwrap_or_else(|e| {
                panic!("{op}: the cotangent of the extracted value has the wrong shape: {e}")
            })
        },
    )
    .record(x)
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
    N: StaticDim,
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
    M: StaticDim,
    N: StaticDim,
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
    to_static::<B, T>("create", d.value())?;
    Ok(Linear::new(
        |d| sized(to_static::<B, T>("create", d)),
        |dy: &T| T::Dynamic::wrap(dy.data().clone()),
    )
    .record(d))
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
    or_fail(try_create(d))
}
