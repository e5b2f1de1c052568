//! The faer backend of backprop-rs: [`Faer`] implements
//! [`LinalgBackend`](backprop_backend::LinalgBackend) with `Matrix = faer::Mat<T>` and
//! `Vector = faer::Col<T>` for `f32`, `f64`, `c32` and `c64`, and
//! [`Factorize`](backprop_backend::Factorize) with faer's own decompositions for `f32` and `f64`.
//!
//! Products go through faer's GEMM (`matmul_with_conj`, transposes and conjugation as views,
//! never materialised). Decompositions call faer's low-level routines with this crate's
//! [`parallelism`](mod@parallelism) setting: sequential unless you enable the `rayon` feature and call
//! [`set_parallelism`].
//!
//! ```
//! use backprop_backend::{Factorize, LinalgBackend};
//! use backprop_faer::Faer;
//!
//! let a = <Faer as LinalgBackend<f64>>::mat_from_row_major(2, 2, &[4.0, 2.0, 2.0, 3.0]).unwrap();
//! let l = <Faer>::cholesky(&a).unwrap();
//! assert!((l[(0, 0)] - 2.0).abs() < 1e-12);
//! assert_eq!(l[(0, 1)], 0.0);
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod backend;
pub mod convert;
mod factorize;
pub mod kernels;
pub mod parallelism;

use core::marker::PhantomData;

use backprop_backend::{Precision, RealScalar};

pub use parallelism::{Parallelism, parallelism, set_parallelism};

/// The matrix library this backend adapts, re-exported so users (and `backprop-linalg`'s
/// conversions) name the same version: `backprop_faer::faer`.
pub use faer;

/// The faer backend (a zero-sized marker type): storage `faer::Mat<T>` and `faer::Col<T>`.
///
/// `P` is the working precision of `backprop-linalg`'s types over it ([`Precision`]): `f64`
/// by default, `f32` as `Faer<f32>`. The storage itself is generic over the scalar
/// (the impls of the backend traits hold for every `T`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faer<P = f64>(PhantomData<fn() -> P>);

impl<P: RealScalar> Precision for Faer<P> {
    type Real = P;
}
