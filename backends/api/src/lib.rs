//! The backend interface of backprop-rs: numeric linear-algebra primitives, no gradients.
//!
//! `backprop-linalg` writes every operation and its gradient once, generically over the traits
//! here; the backend crates (`backprop-faer`, `backprop-nalgebra`, `backprop-ndarray`) implement
//! them with their library.
//!
//! - [`Scalar`] / [`RealScalar`]: `f32`, `f64`, `Complex<f32>`, `Complex<f64>` / `f32`, `f64`.
//! - [`LinalgBackend`]: owned storage, construction, element-wise arithmetic and maps,
//!   reductions and norms, GEMM/GEMV with transpose flags, outer products, transposes, slicing,
//!   concatenation, diagonals. For every [`Scalar`], complex included. A backend implements its
//!   hooks (adapters, and `*_unchecked` numerics on shapes already checked); the provided
//!   methods validate once and call them.
//! - [`Factorize`]: LU (solve, inverse, determinant, log-determinant), triangular solve,
//!   Cholesky, symmetric eigendecomposition, SVD (thin and full), QR (thin and full). For
//!   [`RealScalar`]s. Its documentation lists the conventions (orderings, signs, singularity)
//!   that every backend follows; they are implemented once, in [`conventions`].
//! - [`LinalgError`]: what a primitive returns instead of a wrong number.
//!
//! ```
//! use backprop_backend::{Factorize, LinalgBackend, LinalgError};
//!
//! /// Solves `A·x = b` on any backend.
//! fn solve<B: Factorize<f64>>(a: &[f64], b: &[f64]) -> Result<Vec<f64>, LinalgError> {
//!     let n = b.len();
//!     let a = B::mat_from_row_major(n, n, a)?;
//!     let x = B::solve_vec(&a, &B::vec_from_slice(b))?;
//!     Ok(B::vec_to_vec(&x))
//! }
//! # let _ = solve::<NoBackend>;
//! # #[derive(Clone, Copy, Debug, Default)] struct NoBackend;
//! # impl LinalgBackend<f64> for NoBackend {
//! #     type Vector = Vec<f64>; type Matrix = (usize, usize, Vec<f64>);
//! #     const NAME: &'static str = "none";
//! #     fn vec_from_fn(n: usize, f: impl FnMut(usize) -> f64) -> Vec<f64> { (0..n).map(f).collect() }
//! #     fn vec_len(v: &Vec<f64>) -> usize { v.len() }
//! #     fn vec_get(v: &Vec<f64>, i: usize) -> f64 { v[i] }
//! #     fn vec_set(v: &mut Vec<f64>, i: usize, x: f64) { v[i] = x }
//! #     fn mat_from_fn(r: usize, c: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self::Matrix {
//! #         (r, c, (0..r * c).map(|k| f(k / c, k % c)).collect()) }
//! #     fn mat_shape(a: &Self::Matrix) -> (usize, usize) { (a.0, a.1) }
//! #     fn mat_get(a: &Self::Matrix, i: usize, j: usize) -> f64 { a.2[i * a.1 + j] }
//! #     fn mat_set(a: &mut Self::Matrix, i: usize, j: usize, x: f64) { a.2[i * a.1 + j] = x }
//! #     fn vec_map(v: &Vec<f64>, f: impl FnMut(f64) -> f64) -> Vec<f64> { v.iter().copied().map(f).collect() }
//! #     fn vec_map_mut(v: &mut Vec<f64>, mut f: impl FnMut(f64) -> f64) { v.iter_mut().for_each(|x| *x = f(*x)) }
//! #     fn vec_zip_apply_unchecked(a: &mut Vec<f64>, b: &Vec<f64>, mut f: impl FnMut(f64, f64) -> f64) {
//! #         a.iter_mut().zip(b).for_each(|(x, y)| *x = f(*x, *y)) }
//! #     fn vec_fold<A>(v: &Vec<f64>, i: A, f: impl FnMut(A, f64) -> A) -> A { v.iter().copied().fold(i, f) }
//! #     fn mat_map(a: &Self::Matrix, f: impl FnMut(f64) -> f64) -> Self::Matrix { (a.0, a.1, a.2.iter().copied().map(f).collect()) }
//! #     fn mat_map_mut(a: &mut Self::Matrix, mut f: impl FnMut(f64) -> f64) { a.2.iter_mut().for_each(|x| *x = f(*x)) }
//! #     fn mat_zip_apply_unchecked(a: &mut Self::Matrix, b: &Self::Matrix, mut f: impl FnMut(f64, f64) -> f64) {
//! #         a.2.iter_mut().zip(&b.2).for_each(|(x, y)| *x = f(*x, *y)) }
//! #     fn mat_fold<A>(a: &Self::Matrix, i: A, f: impl FnMut(A, f64) -> A) -> A { a.2.iter().copied().fold(i, f) }
//! #     fn gemm_unchecked(_: &mut Self::Matrix, _: f64, _: &Self::Matrix, _: backprop_backend::Transpose,
//! #         _: &Self::Matrix, _: backprop_backend::Transpose, _: f64) { unimplemented!() }
//! #     fn gemv_unchecked(_: &mut Vec<f64>, _: f64, _: &Self::Matrix, _: backprop_backend::Transpose, _: &Vec<f64>,
//! #         _: f64) { unimplemented!() }
//! # }
//! # impl Factorize<f64> for NoBackend {
//! #     fn lu_raw(_: &Self::Matrix) -> backprop_backend::Lu<Self::Matrix, f64> { unimplemented!() }
//! #     fn solve_triangular_raw(_: &Self::Matrix, _: &Self::Matrix, _: backprop_backend::Triangle,
//! #         _: backprop_backend::Transpose) -> Self::Matrix { unimplemented!() }
//! #     fn cholesky_raw(_: &Self::Matrix) -> Option<Self::Matrix> { None }
//! #     fn sym_eigen_raw(_: &Self::Matrix) -> Option<(Vec<f64>, Self::Matrix)> { None }
//! #     fn svd_raw(_: &Self::Matrix, _: bool) -> Option<(Self::Matrix, Vec<f64>, Self::Matrix)> { None }
//! #     fn qr_raw(_: &Self::Matrix, _: bool) -> (Self::Matrix, Self::Matrix) { unimplemented!() }
//! #     fn eigen_general_raw(_: &Self::Matrix)
//! #         -> Option<(Vec<num_complex::Complex<f64>>, Self::Matrix, Self::Matrix)> { None }
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod backend;
pub mod conventions;
mod error;
mod factorize;
mod flags;
mod scalar;
pub mod validate;

pub use backend::LinalgBackend;
pub use error::LinalgError;
pub use factorize::{Factorize, GeneralEigen, Lu, Qr, Svd, SymEigen, complete_orthonormal_basis};
pub use flags::{Transpose, Triangle};
pub use scalar::{Precision, RealScalar, Scalar};
