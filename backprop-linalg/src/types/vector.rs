//! [`R`]: a real vector whose length is a [`Dim`]: part of its type (`R<U3>`) or known at run
//! time (`R<Dyn>`, also named [`Vector`]).

use std::marker::PhantomData;

use typenum::U1;

use crate::backend::{Backend, LinalgError, RealVector, lit, or_fail};
use crate::dense::{Construct, Dense, StorageKind, VecKind, any, impl_dense};
use crate::dim::{Dim, Dyn, StaticDim};

/// A real vector of length `N` (hmatrix's `R n`), stored by backend `B`.
///
/// `N` is a [`Dim`]: a typenum natural (`U3`, or `typenum::U<3>`), so the compiler checks
/// lengths, or [`Dyn`], a length known at run time ([`Vector`] is `R<Dyn>`). Arithmetic
/// operators act element-wise, as in hmatrix.
///
/// ```
/// use backprop_linalg::{Dyn, R, typenum::U3};
/// let v: R<U3> = R::from_slice(&[1.0, 2.0, 3.0]);
/// assert_eq!((&v * &v).to_vec(), vec![1.0, 4.0, 9.0]);
///
/// // The same with a length read at run time.
/// let n = 3;
/// let w: R<Dyn> = R::from_fn_len(n, |i| (i + 1) as f64);
/// assert_eq!(w.try_into_static::<U3>().expect("three entries"), v);
/// ```
pub struct R<N: Dim, B: Backend = crate::DefaultBackend> {
    data: RealVector<B>,
    _len: PhantomData<fn() -> N>,
}

/// A real vector of run-time length (hmatrix's unsized `Vector`): `R<Dyn>`.
pub type Vector<B = crate::DefaultBackend> = R<Dyn, B>;

impl<N: Dim, B: Backend> Construct<B, B::Real> for R<N, B> {
    type Kind = VecKind;
    type Rows = N;
    type Cols = U1;
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

impl<N: Dim, B: Backend> Dense<B, B::Real> for R<N, B> {
    fn data(&self) -> &RealVector<B> {
        &self.data
    }
}

impl_dense!([N: Dim, B: Backend] R<N, B>);

impl<N: Dim, B: Backend> R<N, B> {
    /// Entry `i` of `n` from `f(i)`, for a length the caller knows to be the type's.
    pub(crate) fn build(n: usize, f: impl FnMut(usize) -> B::Real) -> Self {
        debug_assert!(N::admits(n));
        Self::wrap(B::vec_from_fn(n, f))
    }

    /// From a slice (of length `N` if `N` is static).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"R::from_slice"`) if `N` is static and the slice's
    /// length is not `N`.
    pub fn try_from_slice(s: &[B::Real]) -> Result<Self, LinalgError> {
        Self::try_from_data_named("R::from_slice", B::vec_from_slice(s))
    }

    /// From a slice (of length `N` if `N` is static).
    ///
    /// # Panics
    /// If the slice's length is not `N`, with the message of [`R::try_from_slice`].
    #[track_caller]
    pub fn from_slice(s: &[B::Real]) -> Self {
        or_fail(Self::try_from_slice(s))
    }

    /// Entry `i` of `n` from `f(i)`: the constructor for a run-time length (`n` must be `N` if
    /// `N` is static).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"R::from_fn_len"`) if `n` is not `N`.
    pub fn try_from_fn_len(n: usize, f: impl FnMut(usize) -> B::Real) -> Result<Self, LinalgError> {
        Self::check_len("R::from_fn_len", n)?;
        Ok(Self::wrap(B::vec_from_fn(n, f)))
    }

    /// Entry `i` of `n` from `f(i)`: `Vector::from_fn_len(n, f)`.
    ///
    /// # Panics
    /// If `N` is static and `n` is not `N`, with the message of [`R::try_from_fn_len`].
    #[track_caller]
    pub fn from_fn_len(n: usize, f: impl FnMut(usize) -> B::Real) -> Self {
        or_fail(Self::try_from_fn_len(n, f))
    }

    /// `n` entries equal to `x`: `Vector::konst_len(n, x)`.
    ///
    /// # Panics
    /// If `N` is static and `n` is not `N`.
    #[track_caller]
    pub fn konst_len(n: usize, x: B::Real) -> Self {
        or_fail(Self::check_len("R::konst_len", n));
        filled_vector(n, x)
    }

    /// `n` zeros: `Vector::zeros_len(n)`.
    ///
    /// # Panics
    /// If `N` is static and `n` is not `N`.
    #[track_caller]
    pub fn zeros_len(n: usize) -> Self {
        or_fail(Self::check_len("R::zeros_len", n));
        filled_vector(n, lit::<B>(0.0))
    }

    fn check_len(op: &'static str, n: usize) -> Result<(), LinalgError> {
        if N::admits(n) {
            Ok(())
        } else {
            Err(any::mismatch::<B::Real, B, Self>(op, (n, 1)))
        }
    }

    /// From the backend's storage (a `faer::Col<f64>`, `DVector<f64>`, `Array1<f64>`), moved in
    /// without a copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"R::from_data"`) if `N` is static and the length is
    /// not `N`.
    pub fn try_from_data(data: RealVector<B>) -> Result<Self, LinalgError> {
        Self::try_from_data_named("R::from_data", data)
    }

    /// From the backend's storage, moved in without a copy.
    ///
    /// # Panics
    /// If `N` is static and the length is not `N`, with the message of [`R::try_from_data`].
    #[track_caller]
    pub fn from_data(data: RealVector<B>) -> Self {
        or_fail(Self::try_from_data(data))
    }

    fn try_from_data_named(op: &'static str, data: RealVector<B>) -> Result<Self, LinalgError> {
        any::try_wrap::<B::Real, B, Self>(op, data)
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
        any::update_data(self, f)
    }

    /// The backend's storage, moved out without a copy.
    pub fn into_data(self) -> RealVector<B> {
        any::into_data(self)
    }

    /// The same vector with a run-time length ([`Vector`]); no copy.
    pub fn into_dyn(self) -> R<Dyn, B> {
        or_fail(any::try_recast::<B::Real, B, Self, R<Dyn, B>>(
            "R::into_dyn",
            self,
        ))
    }

    /// The same vector with length type `M` (usually static: `v.try_into_static::<U3>()`);
    /// no copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"R::try_into_static"`) if the length is not `M`.
    pub fn try_into_static<M: Dim>(self) -> Result<R<M, B>, LinalgError> {
        any::try_recast::<B::Real, B, Self, R<M, B>>("R::try_into_static", self)
    }

    /// The length.
    pub fn len(&self) -> usize {
        match N::STATIC {
            Some(n) => n,
            None => B::vec_len(&self.data),
        }
    }

    /// Whether the length is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i`.
    ///
    /// # Panics
    /// If `i` is not less than the length.
    #[track_caller]
    pub fn get(&self, i: usize) -> B::Real {
        let n = self.len();
        assert!(i < n, "R::get: index {i} out of bounds for length {n}");
        B::vec_get(&self.data, i)
    }

    /// The entries.
    pub fn to_vec(&self) -> Vec<B::Real> {
        B::vec_to_vec(&self.data)
    }
}

impl<N: StaticDim, B: Backend> R<N, B> {
    /// The length `N`.
    pub const LEN: usize = N::SIZE;

    /// Entry `i` from `f(i)`.
    pub fn from_fn(f: impl FnMut(usize) -> B::Real) -> Self {
        Self::wrap(B::vec_from_fn(N::SIZE, f))
    }

    /// All entries equal to `x` (hmatrix's `konst`).
    pub fn konst(x: B::Real) -> Self {
        filled_vector(N::SIZE, x)
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(lit::<B>(0.0))
    }
}

/// `n` entries equal to `x`, in a pooled buffer if there is one.
fn filled_vector<N: Dim, B: Backend>(n: usize, x: B::Real) -> R<N, B> {
    R::wrap(any::reuse_or::<B::Real, B, VecKind>(
        (n, 1),
        |d| <VecKind as StorageKind<B, B::Real>>::map_mut(d, |_| x),
        || B::vec_from_fn(n, |_| x),
    ))
}
