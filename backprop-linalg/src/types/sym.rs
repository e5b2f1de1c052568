//! [`Sym`]: a symmetric matrix, symmetric by construction.

use std::marker::PhantomData;

use typenum::Unsigned;

use crate::backend::{Backend, RealMatrix};
use crate::dense::{Construct, Dense, MatKind, impl_dense};
use crate::types::matrix::Sq;

/// A symmetric `N×N` matrix (hmatrix's `Sym n`).
///
/// Every constructor symmetrises, so a `Sym` is always symmetric; gradients with respect to a
/// `Sym` are symmetric too: the gradient of `f(A)` is `sym(G) = (G + Gᵀ)/2`, where `G` is the
/// gradient `f` would have if `A` were unconstrained.
pub struct Sym<N: Unsigned + 'static, B: Backend = crate::DefaultBackend> {
    data: RealMatrix<B>,
    _size: PhantomData<fn() -> N>,
}

impl<N: Unsigned + 'static, B: Backend> Construct<B> for Sym<N, B> {
    type Kind = MatKind;
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

impl<N: Unsigned + 'static, B: Backend> Dense<B> for Sym<N, B> {
    fn data(&self) -> &RealMatrix<B> {
        &self.data
    }
}

impl_dense!([N: Unsigned + 'static, B: Backend] Sym<N, B>);

/// `(A + Aᵀ)/2`.
pub(crate) fn symmetrize<B: Backend>(a: &RealMatrix<B>) -> RealMatrix<B> {
    let (n, _) = B::mat_shape(a);
    B::mat_from_fn(n, n, |i, j| {
        0.5 * (B::mat_get(a, i, j) + B::mat_get(a, j, i))
    })
}

impl<N: Unsigned + 'static, B: Backend> Sym<N, B> {
    /// `(A + Aᵀ)/2` of a square matrix (hmatrix's `sym`, on plain values).
    pub fn from_sq(a: &Sq<N, B>) -> Self {
        Self::wrap(symmetrize::<B>(a.as_data()))
    }

    /// Entry `(i, j)` from `f(i, j)`, symmetrised.
    pub fn from_fn(f: impl FnMut(usize, usize) -> f64) -> Self {
        Self::from_sq(&Sq::from_fn(f))
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
    /// If the storage is not `N×N`.
    #[track_caller]
    pub fn from_data_unchecked(data: RealMatrix<B>) -> Self {
        let shape = B::mat_shape(&data);
        assert!(
            shape == (N::USIZE, N::USIZE),
            "Sym::from_data_unchecked: shape mismatch: expected {0}×{0}, found {1}×{2}",
            N::USIZE,
            shape.0,
            shape.1
        );
        Self::wrap(data)
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(
            i < N::USIZE && j < N::USIZE,
            "Sym::get: index ({i}, {j}) out of bounds for {0}×{0}",
            N::USIZE
        );
        B::mat_get(&self.data, i, j)
    }
}
