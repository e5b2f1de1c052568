//! [`L`]: a real matrix whose shape is part of its type; [`Sq`] for square ones.

use std::marker::PhantomData;

use typenum::Unsigned;

use crate::backend::{Backend, LinalgError, RealMatrix, or_fail};
use crate::dense::{Construct, Dense, MatKind, StorageKind, impl_dense};

/// A real `M×N` matrix (hmatrix's `L m n`), stored by backend `B`.
///
/// Arithmetic operators act element-wise, as in hmatrix; the matrix product is
/// [`mul`](crate::mul).
///
/// ```
/// use backprop_linalg::{L, typenum::{U2, U3}};
/// let a: L<U2, U3> = L::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(a.get(1, 2), 6.0);
/// ```
pub struct L<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend = crate::DefaultBackend> {
    data: RealMatrix<B>,
    _shape: PhantomData<fn() -> (M, N)>,
}

/// A square `N×N` matrix (hmatrix's `Sq n`).
pub type Sq<N, B = crate::DefaultBackend> = L<N, N, B>;

impl<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend> Construct<B> for L<M, N, B> {
    type Kind = MatKind;
    fn data_mut(&mut self) -> &mut RealMatrix<B> {
        &mut self.data
    }
    fn wrap(data: RealMatrix<B>) -> Self {
        L {
            data,
            _shape: PhantomData,
        }
    }
}

impl<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend> Dense<B> for L<M, N, B> {
    fn data(&self) -> &RealMatrix<B> {
        &self.data
    }
}

impl_dense!([M: Unsigned + 'static, N: Unsigned + 'static, B: Backend] L<M, N, B>);

impl<M: Unsigned + 'static, N: Unsigned + 'static, B: Backend> L<M, N, B> {
    /// Number of rows `M`.
    pub const ROWS: usize = M::USIZE;
    /// Number of columns `N`.
    pub const COLS: usize = N::USIZE;

    /// Entry `(i, j)` from `f(i, j)`.
    pub fn from_fn(f: impl FnMut(usize, usize) -> f64) -> Self {
        Self::wrap(B::mat_from_fn(M::USIZE, N::USIZE, f))
    }

    /// All entries equal to `x` (hmatrix's `konst`).
    pub fn konst(x: f64) -> Self {
        Self::wrap(crate::dense::any::reuse_or::<f64, B, MatKind>(
            (M::USIZE, N::USIZE),
            |d| <MatKind as StorageKind<B>>::map_mut(d, |_| x),
            || B::mat_from_fn(M::USIZE, N::USIZE, |_, _| x),
        ))
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(0.0)
    }

    /// From `M·N` entries in row-major order.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"L::from_row_major"`) if the slice's length is not
    /// `M·N`.
    pub fn try_from_row_major(s: &[f64]) -> Result<Self, LinalgError> {
        B::mat_from_row_major(M::USIZE, N::USIZE, s)
            .map(Self::wrap)
            .map_err(|e| e.with_op("L::from_row_major"))
    }

    /// From `M·N` entries in row-major order.
    ///
    /// # Panics
    /// If the slice's length is not `M·N`, with the message of [`L::try_from_row_major`].
    #[track_caller]
    pub fn from_row_major(s: &[f64]) -> Self {
        or_fail(Self::try_from_row_major(s))
    }

    /// From the backend's storage (a `faer::Mat`, `DMatrix`, `Array2`).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if its shape is not `M×N`.
    pub fn try_from_data(data: RealMatrix<B>) -> Result<Self, LinalgError> {
        let (r, c) = B::mat_shape(&data);
        if (r, c) != (M::USIZE, N::USIZE) {
            return Err(LinalgError::ShapeMismatch {
                op: "L::from_data",
                expected: format!("{}×{}", M::USIZE, N::USIZE),
                found: format!("{r}×{c}"),
            });
        }
        Ok(Self::wrap(data))
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &RealMatrix<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably: an update in place with the backend's own
    /// routines (an optimiser's step, say).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape (the type's size would no longer hold).
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut RealMatrix<B>) -> T) -> T {
        crate::dense::any::update_data(self, f)
    }

    /// The backend's storage.
    pub fn into_data(self) -> RealMatrix<B> {
        crate::dense::any::into_data(self)
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(
            i < M::USIZE && j < N::USIZE,
            "L::get: index ({i}, {j}) out of bounds for {}×{}",
            M::USIZE,
            N::USIZE
        );
        B::mat_get(&self.data, i, j)
    }

    /// The entries in row-major order.
    pub fn to_row_major(&self) -> Vec<f64> {
        B::mat_to_row_major(&self.data)
    }
}

impl<N: Unsigned + 'static, B: Backend> L<N, N, B> {
    /// The identity matrix (hmatrix's `eye`).
    pub fn eye() -> Self {
        Self::wrap(B::mat_identity(N::USIZE))
    }
}
