//! The nalgebra backend of backprop-rs: [`Nalgebra`] implements
//! [`LinalgBackend`](backprop_backend::LinalgBackend) with `Matrix = nalgebra::DMatrix<T>` and
//! `Vector = nalgebra::DVector<T>` for `f32`, `f64`, `Complex<f32>` and `Complex<f64>`, and
//! [`Factorize`](backprop_backend::Factorize) with nalgebra's own decompositions (LU, Cholesky,
//! `SymmetricEigen`, SVD, QR) for `f32` and `f64`.
//!
//! Products use nalgebra's `gemm`/`gemv`/`ger` and their transposed-left forms; a transposed
//! *right* operand of `gemm` is copied (nalgebra has no kernel for it, and its kernels misread
//! strided views, see the `gemm` implementation notes).
//!
//! ```
//! use backprop_backend::Factorize;
//! use backprop_nalgebra::Nalgebra;
//! use nalgebra::DMatrix;
//!
//! let a = DMatrix::from_row_slice(2, 2, &[4.0, 2.0, 2.0, 3.0]);
//! let e = <Nalgebra>::sym_eigen(&a).unwrap();
//! assert!(e.values[0] > e.values[1]); // descending
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod backend;
pub mod convert;
mod factorize;
pub mod kernels;

use core::marker::PhantomData;

use backprop_backend::{Precision, RealScalar};

/// The matrix library this backend adapts, re-exported so users (and `backprop-linalg`'s
/// conversions) name the same version: `backprop_nalgebra::nalgebra`.
pub use nalgebra;

/// The nalgebra backend (a zero-sized marker type): storage `DMatrix<T>` and `DVector<T>`.
///
/// `P` is the working precision of `backprop-linalg`'s types over it ([`Precision`]): `f64`
/// by default, `f32` as `Nalgebra<f32>`. The storage itself is generic over the scalar
/// (the impls of the backend traits hold for every `T`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Nalgebra<P = f64>(PhantomData<fn() -> P>);

impl<P: RealScalar> Precision for Nalgebra<P> {
    type Real = P;
}
