//! The ndarray backend of backprop-rs: [`Ndarray`] implements
//! [`LinalgBackend`](backprop_backend::LinalgBackend) with `Matrix = ndarray::Array2<T>` and
//! `Vector = ndarray::Array1<T>` for `f32`, `f64`, `Complex<f32>` and `Complex<f64>`, and
//! [`Factorize`](backprop_backend::Factorize) for `f32` and `f64`.
//!
//! ndarray has no decompositions, and its products use `matrixmultiply`; this backend takes a
//! pure-Rust route through faer instead: arrays are viewed as faer matrices without copying
//! ([`views`]), then multiplied and decomposed by the same routines as `backprop-faer`. No
//! LAPACK or other system library is involved. The faer parallelism setting
//! ([`backprop_faer::set_parallelism`]) applies here too.
//!
//! ```
//! use backprop_backend::Factorize;
//! use backprop_ndarray::Ndarray;
//! use ndarray::array;
//!
//! let a = array![[2.0, 0.0], [0.0, 4.0]];
//! let inv = <Ndarray>::inverse(&a).unwrap();
//! assert_eq!(inv, array![[0.5, 0.0], [0.0, 0.25]]);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod backend;
pub mod convert;
mod factorize;
pub mod views;

use core::marker::PhantomData;

use backprop_backend::{Precision, RealScalar};

/// The matrix library this backend adapts, re-exported so users (and `backprop-linalg`'s
/// conversions) name the same version: `backprop_ndarray::ndarray`.
pub use ndarray;

/// The ndarray backend (a zero-sized marker type): storage `Array2<T>` and `Array1<T>`.
///
/// `P` is the working precision of `backprop-linalg`'s types over it ([`Precision`]): `f64`
/// by default, `f32` as `Ndarray<f32>`. The storage itself is generic over the scalar
/// (the impls of the backend traits hold for every `T`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Ndarray<P = f64>(PhantomData<fn() -> P>);

impl<P: RealScalar> Precision for Ndarray<P> {
    type Real = P;
}
