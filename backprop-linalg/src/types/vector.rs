//! [`R`]: a real vector whose length is part of its type.

use std::marker::PhantomData;

use typenum::Unsigned;

use crate::backend::{Backend, LinalgError, RealVector, or_fail};
use crate::dense::{Construct, Dense, StorageKind, VecKind, impl_dense};

/// A real vector of length `N` (hmatrix's `R n`), stored by backend `B`.
///
/// `N` is a typenum natural (`U3`, or `typenum::U<3>`), so lengths are checked by the compiler.
/// Arithmetic operators act element-wise, as in hmatrix.
///
/// ```
/// use backprop_linalg::{R, typenum::U3};
/// let v: R<U3> = R::from_slice(&[1.0, 2.0, 3.0]);
/// assert_eq!((&v * &v).to_vec(), vec![1.0, 4.0, 9.0]);
/// ```
pub struct R<N: Unsigned + 'static, B: Backend = crate::DefaultBackend> {
    data: RealVector<B>,
    _len: PhantomData<fn() -> N>,
}

impl<N: Unsigned + 'static, B: Backend> Construct<B> for R<N, B> {
    type Kind = VecKind;
    fn data_mut(&mut self) -> &mut RealVector<B> {
        &mut self.data
    }
    fn wrap(data: RealVector<B>) -> Self {
        R {
            data,
            _len: PhantomData,
        }
    }
}

impl<N: Unsigned + 'static, B: Backend> Dense<B> for R<N, B> {
    fn data(&self) -> &RealVector<B> {
        &self.data
    }
}

impl_dense!([N: Unsigned + 'static, B: Backend] R<N, B>);

impl<N: Unsigned + 'static, B: Backend> R<N, B> {
    /// The length `N`.
    pub const LEN: usize = N::USIZE;

    /// Entry `i` from `f(i)`.
    pub fn from_fn(f: impl FnMut(usize) -> f64) -> Self {
        Self::wrap(B::vec_from_fn(N::USIZE, f))
    }

    /// All entries equal to `x` (hmatrix's `konst`).
    pub fn konst(x: f64) -> Self {
        Self::wrap(crate::dense::any::reuse_or::<f64, B, VecKind>(
            (N::USIZE, 1),
            |d| <VecKind as StorageKind<B>>::map_mut(d, |_| x),
            || B::vec_from_fn(N::USIZE, |_| x),
        ))
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(0.0)
    }

    /// From a slice of length `N`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if the slice's length is not `N`.
    pub fn try_from_slice(s: &[f64]) -> Result<Self, LinalgError> {
        if s.len() != N::USIZE {
            return Err(LinalgError::ShapeMismatch {
                op: "R::from_slice",
                expected: format!("{} entries", N::USIZE),
                found: format!("{} entries", s.len()),
            });
        }
        Ok(Self::wrap(B::vec_from_slice(s)))
    }

    /// From a slice of length `N`.
    ///
    /// # Panics
    /// If the slice's length is not `N`, with the message of [`R::try_from_slice`].
    #[track_caller]
    pub fn from_slice(s: &[f64]) -> Self {
        or_fail(Self::try_from_slice(s))
    }

    /// From the backend's storage (a `faer::Col`, `DVector`, `Array1`).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if its length is not `N`.
    pub fn try_from_data(data: RealVector<B>) -> Result<Self, LinalgError> {
        let len = B::vec_len(&data);
        if len != N::USIZE {
            return Err(LinalgError::ShapeMismatch {
                op: "R::from_data",
                expected: format!("{} entries", N::USIZE),
                found: format!("{len} entries"),
            });
        }
        Ok(Self::wrap(data))
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &RealVector<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably: an update in place with the backend's own
    /// routines (an optimiser's step, say).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape (the type's size would no longer hold).
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut RealVector<B>) -> T) -> T {
        crate::dense::any::update_data(self, f)
    }

    /// The backend's storage.
    pub fn into_data(self) -> RealVector<B> {
        crate::dense::any::into_data(self)
    }

    /// Entry `i`.
    ///
    /// # Panics
    /// If `i >= N`.
    #[track_caller]
    pub fn get(&self, i: usize) -> f64 {
        assert!(
            i < N::USIZE,
            "R::get: index {i} out of bounds for length {}",
            N::USIZE
        );
        B::vec_get(&self.data, i)
    }

    /// The entries.
    pub fn to_vec(&self) -> Vec<f64> {
        B::vec_to_vec(&self.data)
    }
}
