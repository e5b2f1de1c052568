//! [`Her`]: a Hermitian matrix, Hermitian by construction (hmatrix's `Her n`), the complex
//! counterpart of [`Sym`](crate::Sym).

use std::marker::PhantomData;

use crate::backend::ComplexOf;

use backprop_backend::LinalgBackend;

use crate::backend::{ComplexBackend, ComplexMatrix, LinalgError, lit, or_fail};
use crate::dense::{Construct, Dense, MatKind, any, impl_dense};
use crate::dim::{Dim, Dyn, StaticDim};
use crate::types::complex::M;

/// A Hermitian `N×N` complex matrix, `A = Aᴴ` (hmatrix's `Her n`), stored by backend `B`.
///
/// Every constructor hermitises, `herm(A) = (A + Aᴴ)/2`, so a `Her` is always Hermitian: its
/// diagonal is real and entry `(j, i)` is the conjugate of entry `(i, j)`. Its coordinates (for
/// [`Coords`](backprop_core::Coords)) are those of an [`M`], `(Re, Im)` of every entry in
/// row-major order, and reading coordinates back hermitises, so perturbations stay Hermitian.
///
/// Gradients with respect to a `Her` are Hermitian too: the gradient of `f(A)` is `herm(G)`,
/// where `G` is the gradient (under the conjugate-Wirtinger convention of
/// [`ops::complex`](mod@crate::ops::complex)) `f` would have if `A` were unconstrained.
///
/// Element-wise `+`, `-`, `*` and `/` keep a matrix Hermitian, and are provided (on values and on
/// `BVar`s). Element-wise elementary functions ([`Floating`](backprop_core::Floating)) are not:
/// they keep it Hermitian only when `f(z̄) = conj f(z)` and `f` is real on the diagonal's reals
/// (`sqrt` and `ln` of a negative diagonal entry are not); apply them to
/// [`un_her`](crate::un_her)'s result instead.
///
/// ```
/// use backprop_linalg::{Her, M, typenum::U2};
/// use num_complex::Complex64;
///
/// let a: M<U2, U2> = M::from_row_major(&[
///     Complex64::new(1.0, 2.0), Complex64::new(2.0, 1.0),
///     Complex64::new(0.0, 3.0), Complex64::new(4.0, 0.0),
/// ]);
/// let h = Her::from_m(&a);
/// assert_eq!(h.get(0, 0), Complex64::new(1.0, 0.0)); // the diagonal is real
/// assert_eq!(h.get(0, 1), Complex64::new(1.0, -1.0)); // (a₀₁ + conj a₁₀)/2
/// assert_eq!(h.get(1, 0), h.get(0, 1).conj());
/// ```
pub struct Her<N: Dim, B: ComplexBackend = crate::DefaultBackend> {
    data: ComplexMatrix<B>,
    _size: PhantomData<fn() -> N>,
}

impl<N: Dim, B: ComplexBackend> Construct<B, ComplexOf<B>> for Her<N, B> {
    type Kind = MatKind;
    type Rows = N;
    type Cols = N;
    const SQUARE: bool = true;
    fn data_mut(&mut self) -> &mut ComplexMatrix<B> {
        &mut self.data
    }
    fn wrap(data: ComplexMatrix<B>) -> Self {
        Her {
            data,
            _size: PhantomData,
        }
    }
    fn normalize(self) -> Self {
        Self::wrap(hermitize::<B>(&self.data))
    }
}

impl<N: Dim, B: ComplexBackend> Dense<B, ComplexOf<B>> for Her<N, B> {
    fn data(&self) -> &ComplexMatrix<B> {
        &self.data
    }
}

impl_dense!(complex_arithmetic [N: Dim, B: ComplexBackend] Her<N, B>);

/// `(A + Aᴴ)/2`. Its diagonal is exactly real and its entries `(i, j)` and `(j, i)` are exactly
/// conjugate (the same sum, rounded once).
fn hermitize<B: ComplexBackend>(a: &ComplexMatrix<B>) -> ComplexMatrix<B> {
    let (n, _) = <B as LinalgBackend<ComplexOf<B>>>::mat_shape(a);
    let get = |i, j| <B as LinalgBackend<ComplexOf<B>>>::mat_get(a, i, j);
    <B as LinalgBackend<ComplexOf<B>>>::mat_from_fn(n, n, |i, j| {
        (get(i, j) + get(j, i).conj()).scale(lit::<B>(0.5))
    })
}

impl<N: Dim, B: ComplexBackend> Her<N, B> {
    /// `(A + Aᴴ)/2` of a square complex matrix (hmatrix's `her`, on plain values).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"Her::from_m"`) if `A` is not square (possible only
    /// for run-time sizes).
    pub fn try_from_m(a: &M<N, N, B>) -> Result<Self, LinalgError> {
        let shape = a.shape();
        if !any::fits::<ComplexOf<B>, B, Self>(shape) {
            return Err(any::mismatch::<ComplexOf<B>, B, Self>("Her::from_m", shape));
        }
        Ok(Self::wrap(hermitize::<B>(a.as_data())))
    }

    /// `(A + Aᴴ)/2` of a square complex matrix (hmatrix's `her`, on plain values).
    ///
    /// # Panics
    /// If `A` is not square, with the message of [`Her::try_from_m`].
    #[track_caller]
    pub fn from_m(a: &M<N, N, B>) -> Self {
        or_fail(Self::try_from_m(a))
    }

    /// Entry `(i, j)` of an `n×n` matrix from `f(i, j)`, hermitised: the constructor for a
    /// run-time size.
    ///
    /// # Panics
    /// If `N` is static and `n` is not `N`.
    #[track_caller]
    pub fn from_fn_n(n: usize, f: impl FnMut(usize, usize) -> ComplexOf<B>) -> Self {
        Self::from_m(&M::from_fn_shape(n, n, f))
    }

    /// The same matrix as an unconstrained complex matrix.
    pub fn to_m(&self) -> M<N, N, B> {
        M::wrap(self.data.clone())
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &ComplexMatrix<B> {
        &self.data
    }

    /// Wraps the backend's storage as it is, without hermitising it: the caller promises it is
    /// Hermitian and `N×N` (see [`Sym::from_data_unchecked`](crate::Sym::from_data_unchecked)).
    ///
    /// # Panics
    /// If the storage is not square, or not `N×N` for a static `N`.
    #[track_caller]
    pub fn from_data_unchecked(data: ComplexMatrix<B>) -> Self {
        or_fail(any::try_wrap::<ComplexOf<B>, B, Self>(
            "Her::from_data_unchecked",
            data,
        ))
    }

    /// The same matrix with a run-time size; no copy.
    pub fn into_dyn(self) -> Her<Dyn, B> {
        or_fail(any::try_recast::<ComplexOf<B>, B, Self, Her<Dyn, B>>(
            "Her::into_dyn",
            self,
        ))
    }

    /// The same matrix with size type `P` (usually static); no copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"Her::try_into_static"`) if the size is not `P`.
    pub fn try_into_static<P: Dim>(self) -> Result<Her<P, B>, LinalgError> {
        any::try_recast::<ComplexOf<B>, B, Self, Her<P, B>>("Her::try_into_static", self)
    }

    /// The number of rows (and of columns).
    pub fn size(&self) -> usize {
        match N::STATIC {
            Some(n) => n,
            None => <B as LinalgBackend<ComplexOf<B>>>::mat_shape(&self.data).0,
        }
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> ComplexOf<B> {
        let n = self.size();
        assert!(
            i < n && j < n,
            "Her::get: index ({i}, {j}) out of bounds for {n}×{n}"
        );
        <B as LinalgBackend<ComplexOf<B>>>::mat_get(&self.data, i, j)
    }
}

impl<N: StaticDim, B: ComplexBackend> Her<N, B> {
    /// Entry `(i, j)` from `f(i, j)`, hermitised.
    pub fn from_fn(f: impl FnMut(usize, usize) -> ComplexOf<B>) -> Self {
        Self::from_m(&M::<N, N, B>::from_fn(f))
    }
}
