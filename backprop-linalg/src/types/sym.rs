//! [`Sym`]: a symmetric matrix, symmetric by construction.

use std::marker::PhantomData;

use crate::backend::{Backend, LinalgError, RealMatrix, lit, or_fail};
use crate::dense::{Construct, Dense, MatKind, any, impl_dense};
use crate::dim::{Dim, Dyn, StaticDim};
use crate::types::matrix::Sq;

/// A symmetric `N×N` matrix (hmatrix's `Sym n`); `N` is a [`Dim`], so `Sym<Dyn>` is a
/// symmetric matrix of run-time size (square whatever its size).
///
/// Every constructor symmetrises, so a `Sym` is always symmetric; gradients with respect to a
/// `Sym` are symmetric too: the gradient of `f(A)` is `sym(G) = (G + Gᵀ)/2`, where `G` is the
/// gradient `f` would have if `A` were unconstrained.
pub struct Sym<N: Dim, B: Backend = crate::DefaultBackend> {
    data: RealMatrix<B>,
    _size: PhantomData<fn() -> N>,
}

impl<N: Dim, B: Backend> Construct<B, B::Real> for Sym<N, B> {
    type Kind = MatKind;
    type Rows = N;
    type Cols = N;
    const SQUARE: bool = true;
    fn data_mut(&mut self) -> &mut RealMatrix<B> {
        &mut self.data
    }
    fn wrap(data: RealMatrix<B>) -> Self {
        Sym {
            data,
            _size: PhantomData,
        }
    }
    fn normalize(self) -> Self {
        Self::wrap(symmetrize::<B>(&self.data))
    }
}

impl<N: Dim, B: Backend> Dense<B, B::Real> for Sym<N, B> {
    fn data(&self) -> &RealMatrix<B> {
        &self.data
    }
}

impl_dense!([N: Dim, B: Backend] Sym<N, B>);

/// `(A + Aᵀ)/2`.
pub(crate) fn symmetrize<B: Backend>(a: &RealMatrix<B>) -> RealMatrix<B> {
    let (n, _) = B::mat_shape(a);
    B::mat_from_fn(n, n, |i, j| {
        lit::<B>(0.5) * (B::mat_get(a, i, j) + B::mat_get(a, j, i))
    })
}

impl<N: Dim, B: Backend> Sym<N, B> {
    /// `(A + Aᵀ)/2` of a square matrix (hmatrix's `sym`, on plain values).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"Sym::from_sq"`) if `A` is not square (possible
    /// only for run-time sizes).
    pub fn try_from_sq(a: &Sq<N, B>) -> Result<Self, LinalgError> {
        let shape = a.shape();
        if !any::fits::<B::Real, B, Self>(shape) {
            return Err(any::mismatch::<B::Real, B, Self>("Sym::from_sq", shape));
        }
        Ok(Self::wrap(symmetrize::<B>(a.as_data())))
    }

    /// `(A + Aᵀ)/2` of a square matrix (hmatrix's `sym`, on plain values).
    ///
    /// # Panics
    /// If `A` is not square, with the message of [`Sym::try_from_sq`].
    #[track_caller]
    pub fn from_sq(a: &Sq<N, B>) -> Self {
        or_fail(Self::try_from_sq(a))
    }

    /// Entry `(i, j)` of an `n×n` matrix from `f(i, j)`, symmetrised: the constructor for a
    /// run-time size.
    ///
    /// # Panics
    /// If `N` is static and `n` is not `N`.
    #[track_caller]
    pub fn from_fn_n(n: usize, f: impl FnMut(usize, usize) -> B::Real) -> Self {
        Self::from_sq(&Sq::from_fn_shape(n, n, f))
    }

    /// The same matrix as an unconstrained square matrix (hmatrix's `unSym`, on plain values).
    pub fn to_sq(&self) -> Sq<N, B> {
        Sq::wrap(self.data.clone())
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &RealMatrix<B> {
        &self.data
    }

    /// Wraps the backend's storage as it is, without symmetrising it: the caller promises it is
    /// symmetric and `N×N`. For tests and for storage known to be symmetric already; every other
    /// constructor symmetrises. A matrix that is not symmetric breaks the type's promise:
    /// results are then unspecified (never unsafe).
    ///
    /// # Panics
    /// If the storage is not square, or not `N×N` for a static `N`.
    #[track_caller]
    pub fn from_data_unchecked(data: RealMatrix<B>) -> Self {
        or_fail(any::try_wrap::<B::Real, B, Self>(
            "Sym::from_data_unchecked",
            data,
        ))
    }

    /// The same matrix with a run-time size; no copy.
    pub fn into_dyn(self) -> Sym<Dyn, B> {
        or_fail(any::try_recast::<B::Real, B, Self, Sym<Dyn, B>>(
            "Sym::into_dyn",
            self,
        ))
    }

    /// The same matrix with size type `P` (usually static); no copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"Sym::try_into_static"`) if the size is not `P`.
    pub fn try_into_static<P: Dim>(self) -> Result<Sym<P, B>, LinalgError> {
        any::try_recast::<B::Real, B, Self, Sym<P, B>>("Sym::try_into_static", self)
    }

    /// The number of rows (and of columns).
    pub fn size(&self) -> usize {
        match N::STATIC {
            Some(n) => n,
            None => B::mat_shape(&self.data).0,
        }
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> B::Real {
        let n = self.size();
        assert!(
            i < n && j < n,
            "Sym::get: index ({i}, {j}) out of bounds for {n}×{n}"
        );
        B::mat_get(&self.data, i, j)
    }
}

impl<N: StaticDim, B: Backend> Sym<N, B> {
    /// Entry `(i, j)` from `f(i, j)`, symmetrised.
    pub fn from_fn(f: impl FnMut(usize, usize) -> B::Real) -> Self {
        Self::from_sq(&Sq::<N, B>::from_fn(f))
    }
}
