//! Moving a value between precisions (or backends): the lifted op [`convert`], and the
//! [`Convert`] trait it is built on. Precision never changes implicitly: an `R<U3, Faer<f32>>`
//! meets an `R<U3, Faer>` only through `convert`.

use backprop_backend::{LinalgBackend, RealScalar, Scalar};
use backprop_core::{BVar, Backprop};
use num_complex::Complex;

use crate::backend::{Backend, ComplexBackend, ComplexOf};
use crate::dense::{Dense, StorageKind, any};
use crate::dim::Dim;
use crate::ops::support::linear::Linear;
use crate::{C, Her, L, M, R, Sym};

/// A value re-stored as a `U`: the same type, sizes and entries, in another precision (`f32` ⇄
/// `f64`) or on another backend. Entries pass through `f64`, so widening is exact and narrowing
/// rounds to nearest.
///
/// Implemented between the same kind of type on any two backends (`L<M, N, B>` to
/// `L<M, N, B2>`, `Sym` to `Sym`, `C`, `M`, `Her` likewise) and between `f32` and `f64`.
///
/// ```
/// use backprop_linalg::{Convert, R, backends::Faer, typenum::U2};
/// let single: R<U2, Faer<f32>> = R::from_slice(&[0.1, 2.5]);
/// let double: R<U2, Faer> = single.convert();
/// assert_eq!(double.to_vec(), vec![f64::from(0.1f32), 2.5]);
/// ```
pub trait Convert<U>: Backprop {
    /// The value as a `U`.
    fn convert(&self) -> U;
}

/// `x` as a `U`: in another precision, or on another backend (see [`Convert`]).
///
/// Gradient: `x̄ = convert(ȳ)`, the cotangent converted back (the conversion is the identity on
/// the entries, up to rounding when narrowing).
///
/// ```
/// use backprop_linalg::{backprop, convert, sum_elements, R, backends::Faer, typenum::U2};
/// // A loss computed in double precision on a single-precision parameter.
/// let x: R<U2, Faer<f32>> = R::from_slice(&[1.0, 2.0]);
/// let (y, dx) = backprop(|x| sum_elements(convert::<_, R<U2, Faer>>(x)), &x);
/// assert_eq!((y, dx.to_vec()), (3.0, vec![1.0f32, 1.0]));
/// ```
pub fn convert<'t, T, U>(x: BVar<'t, T>) -> BVar<'t, U>
where
    T: Convert<U>,
    U: Convert<T>,
{
    Linear::new(T::convert, U::convert).record(x)
}

/// Entries of `x` (scalar `S1`, backend `B1`) as storage of `U` (scalar `S2`, backend `B2`),
/// each converted by `f`.
fn restore<S1, S2, B1, B2, T, U>(x: &T, f: impl Fn(S1) -> S2) -> U
where
    S1: Scalar,
    S2: Scalar,
    B1: LinalgBackend<S1>,
    B2: LinalgBackend<S2>,
    T: Dense<B1, S1>,
    U: Dense<B2, S2>,
{
    let shape = any::shape::<S1, B1, T>(x);
    let entries = any::entries::<S1, B1, T>(x);
    let data = <U::Kind as StorageKind<B2, S2>>::from_fn_shape(shape, |k| f(entries[k]));
    U::wrap(data)
}

/// A real entry in another precision (through `f64`).
fn real<S1: RealScalar, S2: RealScalar>(x: S1) -> S2 {
    S2::from_f64_real(x.to_f64_real())
}

/// A complex entry in another precision.
fn complex<S1: RealScalar, S2: RealScalar>(z: Complex<S1>) -> Complex<S2> {
    Complex::new(real(z.re), real(z.im))
}

/// `Convert` between the same real type on two backends.
macro_rules! convert_real {
    ($([$($dims:ident),+] $ty:ident),+ $(,)?) => {$(
        impl<$($dims: Dim,)+ B1: Backend, B2: Backend> Convert<$ty<$($dims,)+ B2>> for $ty<$($dims,)+ B1> {
            fn convert(&self) -> $ty<$($dims,)+ B2> {
                restore::<_, _, B1, B2, _, _>(self, real::<B1::Real, B2::Real>)
            }
        }
    )+};
}

/// `Convert` between the same complex type on two backends.
macro_rules! convert_complex {
    ($([$($dims:ident),+] $ty:ident),+ $(,)?) => {$(
        impl<$($dims: Dim,)+ B1: ComplexBackend, B2: ComplexBackend> Convert<$ty<$($dims,)+ B2>> for $ty<$($dims,)+ B1> {
            fn convert(&self) -> $ty<$($dims,)+ B2> {
                restore::<ComplexOf<B1>, ComplexOf<B2>, B1, B2, _, _>(self, complex::<B1::Real, B2::Real>)
            }
        }
    )+};
}

convert_real!([N] R, [Rows, Cols] L, [N] Sym);
convert_complex!([N] C, [Rows, Cols] M, [N] Her);

impl Convert<f64> for f32 {
    fn convert(&self) -> f64 {
        f64::from(*self)
    }
}

impl Convert<f32> for f64 {
    #[allow(clippy::cast_possible_truncation)] // narrowing rounds to nearest, as documented
    fn convert(&self) -> f32 {
        *self as f32
    }
}

impl<T1, T2, U1, U2> Convert<(U1, U2)> for (T1, T2)
where
    T1: Convert<U1>,
    T2: Convert<U2>,
{
    fn convert(&self) -> (U1, U2) {
        (self.0.convert(), self.1.convert())
    }
}

impl<T1, T2, T3, U1, U2, U3> Convert<(U1, U2, U3)> for (T1, T2, T3)
where
    T1: Convert<U1>,
    T2: Convert<U2>,
    T3: Convert<U3>,
{
    fn convert(&self) -> (U1, U2, U3) {
        (self.0.convert(), self.1.convert(), self.2.convert())
    }
}
