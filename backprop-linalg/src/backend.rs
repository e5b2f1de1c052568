//! Which backend the types run on: the [`Backend`] bound, the default backend chosen by Cargo
//! feature, and short names for the storage types.

use backprop_backend::{Factorize, LinalgBackend};
use num_complex::Complex64;

pub use backprop_backend::LinalgError;

/// What `backprop-linalg` needs of a backend: real (`f64`) storage, arithmetic and
/// factorizations. Implemented for every such backend (`Faer`, `Nalgebra`, `Ndarray`).
pub trait Backend: Factorize<f64> {}
impl<B: Factorize<f64>> Backend for B {}

/// A backend that also stores complex (`Complex64`) vectors and matrices, for [`C`](crate::C)
/// and [`M`](crate::M).
pub trait ComplexBackend: Backend + LinalgBackend<Complex64> {}
impl<B: Backend + LinalgBackend<Complex64>> ComplexBackend for B {}

/// A backend's real vector storage (`faer::Col<f64>`, `DVector<f64>`, `Array1<f64>`).
pub type RealVector<B> = <B as LinalgBackend<f64>>::Vector;
/// A backend's real matrix storage (`faer::Mat<f64>`, `DMatrix<f64>`, `Array2<f64>`).
pub type RealMatrix<B> = <B as LinalgBackend<f64>>::Matrix;
/// A backend's complex vector storage.
pub type ComplexVector<B> = <B as LinalgBackend<Complex64>>::Vector;
/// A backend's complex matrix storage.
pub type ComplexMatrix<B> = <B as LinalgBackend<Complex64>>::Matrix;

/// The backend used by the short aliases at the crate root: faer if the `faer` feature is on
/// (the default), else nalgebra, else ndarray.
#[cfg(feature = "faer")]
pub type DefaultBackend = backprop_faer::Faer;
/// The backend used by the short aliases at the crate root: faer if the `faer` feature is on
/// (the default), else nalgebra, else ndarray.
#[cfg(all(not(feature = "faer"), feature = "nalgebra"))]
pub type DefaultBackend = backprop_nalgebra::Nalgebra;
/// The backend used by the short aliases at the crate root: faer if the `faer` feature is on
/// (the default), else nalgebra, else ndarray.
#[cfg(all(not(feature = "faer"), not(feature = "nalgebra"), feature = "ndarray"))]
pub type DefaultBackend = backprop_ndarray::Ndarray;

/// The vector of `n` ones: `M·1` sums each row of `M`, `v·1ᵀ` copies `v` into every column.
pub(crate) fn ones<B: Backend>(n: usize) -> RealVector<B> {
    B::vec_from_fn(n, |_| 1.0)
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
