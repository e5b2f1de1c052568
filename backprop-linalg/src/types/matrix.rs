//! [`L`]: a real matrix whose sizes are [`Dim`]s, part of its type (`L<U2, U3>`) or known at
//! run time (`L<Dyn, Dyn>`, also named [`Matrix`]), or one of each; [`Sq`] for square ones.

use std::marker::PhantomData;

use crate::backend::{Backend, LinalgError, RealMatrix, lit, or_fail};
use crate::dense::{Construct, Dense, MatKind, StorageKind, any, impl_dense};
use crate::dim::{Dim, Dyn, StaticDim};

/// A real `M×N` matrix (hmatrix's `L m n`), stored by backend `B`.
///
/// `M` and `N` are [`Dim`]s: typenum naturals, checked by the compiler, or [`Dyn`], known at
/// run time ([`Matrix`] is `L<Dyn, Dyn>`; `L<U3, Dyn>` has three rows and any number of
/// columns). Arithmetic operators act element-wise, as in hmatrix; the matrix product is
/// [`mul`](crate::mul).
///
/// ```
/// use backprop_linalg::{Dyn, L, typenum::{U2, U3}};
/// let a: L<U2, U3> = L::from_row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(a.get(1, 2), 6.0);
///
/// let b: L<Dyn, Dyn> = L::from_row_major_shape(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(b.shape(), (2, 3));
/// assert_eq!(b.try_into_static::<U2, U3>().expect("2×3"), a);
/// ```
pub struct L<M: Dim, N: Dim, B: Backend = crate::DefaultBackend> {
    data: RealMatrix<B>,
    _shape: PhantomData<fn() -> (M, N)>,
}

/// A square `N×N` matrix (hmatrix's `Sq n`). With `N` = [`Dyn`] both sizes are run-time ones,
/// which the type does not promise equal: the operations that need a square matrix check.
pub type Sq<N, B = crate::DefaultBackend> = L<N, N, B>;

/// A real matrix of run-time shape (hmatrix's unsized `Matrix`): `L<Dyn, Dyn>`.
pub type Matrix<B = crate::DefaultBackend> = L<Dyn, Dyn, B>;

impl<M: Dim, N: Dim, B: Backend> Construct<B, B::Real> for L<M, N, B> {
    type Kind = MatKind;
    type Rows = M;
    type Cols = N;
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

impl<M: Dim, N: Dim, B: Backend> Dense<B, B::Real> for L<M, N, B> {
    fn data(&self) -> &RealMatrix<B> {
        &self.data
    }
}

impl_dense!([M: Dim, N: Dim, B: Backend] L<M, N, B>);

impl<M: Dim, N: Dim, B: Backend> L<M, N, B> {
    /// Entry `(i, j)` of a `rows×cols` matrix from `f(i, j)`: the constructor for run-time
    /// sizes (a static size must be the type's).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"L::from_fn_shape"`) if `rows` is not `M` or `cols`
    /// not `N`.
    pub fn try_from_fn_shape(
        rows: usize,
        cols: usize,
        f: impl FnMut(usize, usize) -> B::Real,
    ) -> Result<Self, LinalgError> {
        Self::check_shape("L::from_fn_shape", rows, cols)?;
        Ok(Self::wrap(B::mat_from_fn(rows, cols, f)))
    }

    /// Entry `(i, j)` of a `rows×cols` matrix from `f(i, j)`: `Matrix::from_fn_shape(r, c, f)`.
    ///
    /// # Panics
    /// If a static size is not the type's, with the message of [`L::try_from_fn_shape`].
    #[track_caller]
    pub fn from_fn_shape(rows: usize, cols: usize, f: impl FnMut(usize, usize) -> B::Real) -> Self {
        or_fail(Self::try_from_fn_shape(rows, cols, f))
    }

    /// A `rows×cols` matrix of entries equal to `x`.
    ///
    /// # Panics
    /// If a static size is not the type's.
    #[track_caller]
    pub fn konst_shape(rows: usize, cols: usize, x: B::Real) -> Self {
        or_fail(Self::check_shape("L::konst_shape", rows, cols));
        filled_matrix(rows, cols, x)
    }

    /// A `rows×cols` matrix of zeros.
    ///
    /// # Panics
    /// If a static size is not the type's.
    #[track_caller]
    pub fn zeros_shape(rows: usize, cols: usize) -> Self {
        or_fail(Self::check_shape("L::zeros_shape", rows, cols));
        filled_matrix(rows, cols, lit::<B>(0.0))
    }

    /// The `n×n` identity matrix: `Matrix::eye_n(n)`.
    ///
    /// # Panics
    /// If a static size is not `n`.
    #[track_caller]
    pub fn eye_n(n: usize) -> Self {
        or_fail(Self::check_shape("L::eye_n", n, n));
        Self::wrap(B::mat_identity(n))
    }

    /// From `rows·cols` entries in row-major order: `Matrix::from_row_major_shape(r, c, s)`.
    ///
    /// # Panics
    /// If the slice's length is not `rows·cols` or a static size is not the type's, with the
    /// message of [`L::try_from_row_major_shape`].
    #[track_caller]
    pub fn from_row_major_shape(rows: usize, cols: usize, s: &[B::Real]) -> Self {
        or_fail(Self::try_from_row_major_shape(rows, cols, s))
    }

    fn check_shape(op: &'static str, rows: usize, cols: usize) -> Result<(), LinalgError> {
        if any::fits::<B::Real, B, Self>((rows, cols)) {
            Ok(())
        } else {
            Err(any::mismatch::<B::Real, B, Self>(op, (rows, cols)))
        }
    }

    /// From `rows·cols` entries in row-major order, for any sizes (a static size must be the
    /// type's).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"L::from_row_major"`) if the slice's length is not
    /// `rows·cols`, or a static size is not the type's.
    pub fn try_from_row_major_shape(
        rows: usize,
        cols: usize,
        s: &[B::Real],
    ) -> Result<Self, LinalgError> {
        const OP: &str = "L::from_row_major";
        let data = B::mat_from_row_major(rows, cols, s).map_err(|e| e.with_op(OP))?;
        any::try_wrap::<B::Real, B, Self>(OP, data)
    }

    /// From the backend's storage (a `faer::Mat<f64>`, `DMatrix<f64>`, `Array2<f64>`), moved in
    /// without a copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"L::from_data"`) if a static size is not the
    /// storage's.
    pub fn try_from_data(data: RealMatrix<B>) -> Result<Self, LinalgError> {
        any::try_wrap::<B::Real, B, Self>("L::from_data", data)
    }

    /// From the backend's storage, moved in without a copy.
    ///
    /// # Panics
    /// If a static size is not the storage's, with the message of [`L::try_from_data`].
    #[track_caller]
    pub fn from_data(data: RealMatrix<B>) -> Self {
        or_fail(Self::try_from_data(data))
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
        any::update_data(self, f)
    }

    /// The backend's storage, moved out without a copy.
    pub fn into_data(self) -> RealMatrix<B> {
        any::into_data(self)
    }

    /// The same matrix with run-time sizes ([`Matrix`]); no copy.
    pub fn into_dyn(self) -> L<Dyn, Dyn, B> {
        or_fail(any::try_recast::<B::Real, B, Self, L<Dyn, Dyn, B>>(
            "L::into_dyn",
            self,
        ))
    }

    /// The same matrix with sizes `P×Q` (usually static: `a.try_into_static::<U2, U3>()`, or
    /// mixed: `::<U2, Dyn>`); no copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"L::try_into_static"`) if the shape is not `P×Q`.
    pub fn try_into_static<P: Dim, Q: Dim>(self) -> Result<L<P, Q, B>, LinalgError> {
        any::try_recast::<B::Real, B, Self, L<P, Q, B>>("L::try_into_static", self)
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        match (M::STATIC, N::STATIC) {
            (Some(m), Some(n)) => (m, n),
            _ => B::mat_shape(&self.data),
        }
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> B::Real {
        let (m, n) = self.shape();
        assert!(
            i < m && j < n,
            "L::get: index ({i}, {j}) out of bounds for {m}×{n}"
        );
        B::mat_get(&self.data, i, j)
    }

    /// The entries in row-major order.
    pub fn to_row_major(&self) -> Vec<B::Real> {
        B::mat_to_row_major(&self.data)
    }
}

impl<M: StaticDim, N: StaticDim, B: Backend> L<M, N, B> {
    /// Number of rows `M`.
    pub const ROWS: usize = M::SIZE;
    /// Number of columns `N`.
    pub const COLS: usize = N::SIZE;

    /// Entry `(i, j)` from `f(i, j)`.
    pub fn from_fn(f: impl FnMut(usize, usize) -> B::Real) -> Self {
        Self::wrap(B::mat_from_fn(M::SIZE, N::SIZE, f))
    }

    /// All entries equal to `x` (hmatrix's `konst`).
    pub fn konst(x: B::Real) -> Self {
        filled_matrix(M::SIZE, N::SIZE, x)
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(lit::<B>(0.0))
    }

    /// From `M·N` entries in row-major order.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"L::from_row_major"`) if the slice's length is not
    /// `M·N`.
    pub fn try_from_row_major(s: &[B::Real]) -> Result<Self, LinalgError> {
        Self::try_from_row_major_shape(M::SIZE, N::SIZE, s)
    }

    /// From `M·N` entries in row-major order.
    ///
    /// # Panics
    /// If the slice's length is not `M·N`, with the message of [`L::try_from_row_major`].
    #[track_caller]
    pub fn from_row_major(s: &[B::Real]) -> Self {
        or_fail(Self::try_from_row_major(s))
    }
}

impl<N: StaticDim, B: Backend> L<N, N, B> {
    /// The identity matrix (hmatrix's `eye`).
    pub fn eye() -> Self {
        Self::wrap(B::mat_identity(N::SIZE))
    }
}

/// A `rows×cols` matrix of entries equal to `x`, in a pooled buffer if there is one.
fn filled_matrix<M: Dim, N: Dim, B: Backend>(rows: usize, cols: usize, x: B::Real) -> L<M, N, B> {
    L::wrap(any::reuse_or::<B::Real, B, MatKind>(
        (rows, cols),
        |d| <MatKind as StorageKind<B, B::Real>>::map_mut(d, |_| x),
        || B::mat_from_fn(rows, cols, |_, _| x),
    ))
}
