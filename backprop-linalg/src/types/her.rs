//! [`Her`]: a Hermitian matrix, Hermitian by construction (hmatrix's `Her n`), the complex
//! counterpart of [`Sym`](crate::Sym).

use std::marker::PhantomData;

use num_complex::Complex64;
use typenum::Unsigned;

use backprop_backend::LinalgBackend;

use crate::backend::{ComplexBackend, ComplexMatrix};
use crate::dense::{Construct, Dense, MatKind, impl_dense};
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
pub struct Her<N: Unsigned + 'static, B: ComplexBackend = crate::DefaultBackend> {
    data: ComplexMatrix<B>,
    _size: PhantomData<fn() -> N>,
}

impl<N: Unsigned + 'static, B: ComplexBackend> Construct<B, Complex64> for Her<N, B> {
    type Kind = MatKind;
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

impl<N: Unsigned + 'static, B: ComplexBackend> Dense<B, Complex64> for Her<N, B> {
    fn data(&self) -> &ComplexMatrix<B> {
        &self.data
    }
}

impl_dense!(complex_arithmetic [N: Unsigned + 'static, B: ComplexBackend] Her<N, B>);

/// `(A + Aᴴ)/2`. Its diagonal is exactly real and its entries `(i, j)` and `(j, i)` are exactly
/// conjugate (the same sum, rounded once).
fn hermitize<B: ComplexBackend>(a: &ComplexMatrix<B>) -> ComplexMatrix<B> {
    let (n, _) = <B as LinalgBackend<Complex64>>::mat_shape(a);
    let get = |i, j| <B as LinalgBackend<Complex64>>::mat_get(a, i, j);
    <B as LinalgBackend<Complex64>>::mat_from_fn(n, n, |i, j| 0.5 * (get(i, j) + get(j, i).conj()))
}

impl<N: Unsigned + 'static, B: ComplexBackend> Her<N, B> {
    /// `(A + Aᴴ)/2` of a square complex matrix (hmatrix's `her`, on plain values).
    pub fn from_m(a: &M<N, N, B>) -> Self {
        Self::wrap(hermitize::<B>(a.as_data()))
    }

    /// Entry `(i, j)` from `f(i, j)`, hermitised.
    pub fn from_fn(f: impl FnMut(usize, usize) -> Complex64) -> Self {
        Self::from_m(&M::from_fn(f))
    }

    /// The same matrix as an unconstrained square complex matrix (on plain values, what
    /// [`un_her`](crate::un_her) does to variables).
    pub fn to_m(&self) -> M<N, N, B> {
        M::wrap(self.data.clone())
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &ComplexMatrix<B> {
        &self.data
    }

    /// Wraps the backend's storage as it is, without hermitising it: the caller promises it is
    /// Hermitian and `N×N`. For tests and for storage known to be Hermitian already; every other
    /// constructor hermitises. A matrix that is not Hermitian breaks the type's promise:
    /// results are then unspecified (never unsafe).
    ///
    /// # Panics
    /// If the storage is not `N×N`.
    #[track_caller]
    pub fn from_data_unchecked(data: ComplexMatrix<B>) -> Self {
        let shape = <B as LinalgBackend<Complex64>>::mat_shape(&data);
        assert!(
            shape == (N::USIZE, N::USIZE),
            "Her::from_data_unchecked: shape mismatch: expected {0}×{0}, found {1}×{2}",
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
    pub fn get(&self, i: usize, j: usize) -> Complex64 {
        assert!(
            i < N::USIZE && j < N::USIZE,
            "Her::get: index ({i}, {j}) out of bounds for {0}×{0}",
            N::USIZE
        );
        <B as LinalgBackend<Complex64>>::mat_get(&self.data, i, j)
    }
}
