//! Linear algebra whose every operation carries its gradient: Justin Le's `hmatrix-backprop` for
//! Rust, on the matrix library you already use, with sizes known at compile time or at run time.
//!
//! Vectors [`R<N>`](R) and matrices [`L<M, N>`](L) (and [`Sq<N>`](Sq), [`Sym<N>`](Sym), complex
//! [`C<N>`](C), [`M<M, N>`](M) and [`Her<N>`](Her)) carry each size as a [`Dim`]: a typenum
//! natural, checked by the compiler, or [`Dyn`], read from data and checked when an operation
//! runs; [`Vector`] and [`Matrix`] are the all-run-time forms (see [`mod@dim`]). Each operation is a
//! function on [`BVar`]s whose gradient is written once, here, generically over the [`Backend`]
//! (faer, nalgebra or ndarray, chosen by Cargo feature; faer by default).
//!
//! The autodiff API of [`backprop_core`] is re-exported at the root: one dependency is enough.
//!
//! ```
//! use backprop_linalg::{grad_bp, mul, sum_elements, L, typenum::{U2, U3}};
//!
//! // d/dA Σ(A·B) for fixed B: every row of the gradient is the row sums of B.
//! let a: L<U2, U3> = L::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
//! let b: L<U3, U2> = L::from_row_major(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
//! let g = grad_bp(|a| sum_elements(mul(a, a.tape().constant(b.clone()))), &a);
//! assert_eq!(g.to_row_major(), vec![1.0, 1.0, 2.0, 1.0, 1.0, 2.0]);
//! ```

#[cfg(not(any(feature = "faer", feature = "nalgebra", feature = "ndarray")))]
compile_error!(
    "backprop-linalg needs a backend: enable the `faer`, `nalgebra` or `ndarray` feature"
);

mod aliases;
pub mod backend;
pub mod dense;
pub mod dim;
pub mod native;
pub mod ops;
pub mod pool;
pub mod types;

pub use backprop_core::*;
pub use typenum;

#[cfg(feature = "faer")]
pub use crate::aliases::faer;
#[cfg(feature = "nalgebra")]
pub use crate::aliases::nalgebra;
#[cfg(feature = "ndarray")]
pub use crate::aliases::ndarray;
pub use crate::backend::{
    Backend, ComplexBackend, ComplexOf, DefaultBackend, LinalgError, Real, RealOf,
};
pub use crate::dim::{
    ConvLen, CorrLen, Dim, DimAdd, DimConv, DimCorr, DimDiff, DimLe, DimSub, DimSum, Dyn, StaticDim,
};
pub use crate::ops::*;
pub use crate::types::complex::{C, M};
pub use crate::types::her::Her;
pub use crate::types::matrix::{L, Matrix, Sq};
pub use crate::types::sym::Sym;
pub use crate::types::vector::{R, Vector};
pub use backprop_backend::{Precision, RealScalar, Scalar};

/// Frees what this thread keeps between differentiations: the tape's storage
/// ([`backprop_core::release_storage`]) and the [`pool`] of vector and matrix storage.
///
/// ```
/// use backprop_linalg::{R, dot, grad_bp, release_storage, typenum::U3};
///
/// let x: R<U3> = R::konst(1.0);
/// assert_eq!(grad_bp(|x| dot(x, x), &x).to_vec(), [2.0, 2.0, 2.0]);
/// release_storage();
/// ```
pub fn release_storage() {
    backprop_core::release_storage();
    pool::release();
}

/// The backends, re-exported so a type can name one: `R<U3, backends::Nalgebra>`; and their
/// libraries, at the versions this crate was built with, for the [`native`] conversions:
/// `backends::faer::Mat<f64>`.
pub mod backends {
    #[cfg(feature = "faer")]
    pub use backprop_faer::{Faer, faer};
    #[cfg(feature = "nalgebra")]
    pub use backprop_nalgebra::{Nalgebra, nalgebra};
    #[cfg(feature = "ndarray")]
    pub use backprop_ndarray::{Ndarray, ndarray};
}

/// The README's Rust snippets, compiled and run as doctests so they cannot rot. They live here,
/// not in `backprop-core`, because they use the linear algebra too.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
