//! Which backend the types run on: the [`Backend`] bound, the default backend chosen by Cargo
//! feature, and short names for the storage types.

use std::fmt::{Debug, Display};

use backprop_backend::{Factorize, LinalgBackend, Precision, RealScalar};
use backprop_core::{
    Backprop, Conjugate, Coords, Elementary, Floating, RefAdd, RefDiv, RefMul, RefNeg, RefSub,
};
use num_complex::Complex;

pub use backprop_backend::LinalgError;

/// A real scalar this crate computes in: `f64` or `f32`, the
/// [`Precision`] a backend marker names (`Faer` is `Faer<f64>`,
/// `Faer<f32>` computes in single precision). Everything the tape and the checker need of a
/// scalar is here, so a scalar result of an op (`BVar<'t, B::Real>`) is a full variable: its
/// operators (`+ − * /` with variables and constants, through `RefAdd`, ...) and elementary
/// functions work in code generic over the precision.
pub trait Real:
    RealScalar
    + Backprop
    + Floating<Elem = Self>
    + Elementary
    + Coords
    + Conjugate
    + RefAdd
    + RefSub
    + RefMul
    + RefDiv
    + RefNeg
    + Display
    + Debug
    + std::iter::Sum
{
}
impl Real for f32 {}
impl Real for f64 {}

/// What `backprop-linalg` needs of a backend: real storage, arithmetic and factorizations in
/// its precision (`B::Real`, `f64` unless the marker names `f32`). Implemented for every such
/// backend (`Faer`, `Nalgebra`, `Ndarray`, and their `<f32>` forms).
///
/// Code generic over `B: Backend` is generic over the precision too; code that needs `f64`
/// (a literal `2.0` added to a scalar result, say) bounds `B: Backend<Real = f64>`.
pub trait Backend: Precision<Real: Real> + Factorize<<Self as Precision>::Real> {}
impl<B> Backend for B
where
    B: Precision + Factorize<<B as Precision>::Real>,
    B::Real: Real,
{
}

/// A backend that also stores complex vectors and matrices (`Complex<B::Real>`), for
/// [`C`](crate::C), [`M`](crate::M) and [`Her`](crate::Her).
pub trait ComplexBackend: Backend + LinalgBackend<Complex<<Self as Precision>::Real>> {}
impl<B: Backend + LinalgBackend<Complex<<B as Precision>::Real>>> ComplexBackend for B {}

/// A backend's real scalar, `B::Real`: `f64` (or `f32`).
pub type RealOf<B> = <B as Precision>::Real;

/// A backend's complex scalar: `Complex<f64>` (or `Complex<f32>`).
pub type ComplexOf<B> = Complex<<B as Precision>::Real>;

/// A backend's real vector storage (`faer::Col<f64>`, `DVector<f64>`, `Array1<f64>`).
pub type RealVector<B> = <B as LinalgBackend<<B as Precision>::Real>>::Vector;
/// A backend's real matrix storage (`faer::Mat<f64>`, `DMatrix<f64>`, `Array2<f64>`).
pub type RealMatrix<B> = <B as LinalgBackend<<B as Precision>::Real>>::Matrix;
/// A backend's complex vector storage.
pub type ComplexVector<B> = <B as LinalgBackend<ComplexOf<B>>>::Vector;
/// A backend's complex matrix storage.
pub type ComplexMatrix<B> = <B as LinalgBackend<ComplexOf<B>>>::Matrix;

/// The backend used by the short aliases at the crate root: faer if the `faer` feature is on
/// (the default), else nalgebra, else ndarray; `DefaultBackend<f32>` in single precision.
#[cfg(feature = "faer")]
pub type DefaultBackend<P = f64> = backprop_faer::Faer<P>;
/// The backend used by the short aliases at the crate root: faer if the `faer` feature is on
/// (the default), else nalgebra, else ndarray; `DefaultBackend<f32>` in single precision.
#[cfg(all(not(feature = "faer"), feature = "nalgebra"))]
pub type DefaultBackend<P = f64> = backprop_nalgebra::Nalgebra<P>;
/// The backend used by the short aliases at the crate root: faer if the `faer` feature is on
/// (the default), else nalgebra, else ndarray; `DefaultBackend<f32>` in single precision.
#[cfg(all(not(feature = "faer"), not(feature = "nalgebra"), feature = "ndarray"))]
pub type DefaultBackend<P = f64> = backprop_ndarray::Ndarray<P>;

/// The vector of `n` ones: `M·1` sums each row of `M`, `v·1ᵀ` copies `v` into every column.
pub(crate) fn ones<B: Backend>(n: usize) -> RealVector<B> {
    B::vec_from_fn(n, |_| num_traits::One::one())
}

/// Panics with `error`'s message, naming the operation. The plain forms of fallible operations
/// use it, so they fail with the same message their `try_` forms return.
#[track_caller]
pub(crate) fn fail(error: LinalgError) -> ! {
    panic!("{error}")
}

/// The value of a `try_` form's result, or a panic with its error's message ([`fail`]): how
/// every plain form is written from its `try_` form. `#[track_caller]` here and on the plain
/// form (a `match`, not a closure, which would lose the location) makes the panic report the
/// user's line.
#[track_caller]
pub(crate) fn or_fail<T>(result: Result<T, LinalgError>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => fail(error),
    }
}

/// Unwraps a backend result whose failure would be a bug in this crate (the types, or the checks
/// the op made before, rule it out), with a message saying so.
#[track_caller]
pub(crate) fn sized<T>(result: Result<T, LinalgError>) -> T {
    result.unwrap_or_else(|e| {
        panic!("backprop-linalg: an operation whose shapes were checked failed (a bug): {e}")
    })
}

/// The count `n` in `B`'s precision (exact: counts are far below 2²⁴).
pub(crate) fn count<B: Backend>(n: usize) -> B::Real {
    backprop_backend::RealScalar::from_usize(n)
}

/// The constant `x` in `B`'s precision (rounded to nearest in `f32`).
pub(crate) fn lit<B: Backend>(x: f64) -> B::Real {
    backprop_backend::RealScalar::from_f64_real(x)
}

/// Zero in precision `S` (`S::zero()` would be ambiguous: `Backprop` has a `zero` too).
pub(crate) fn zero<S: Real>() -> S {
    <S as num_traits::Zero>::zero()
}

/// One in precision `S`.
pub(crate) fn one<S: Real>() -> S {
    <S as num_traits::One>::one()
}
