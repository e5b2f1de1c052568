//! [`C`] and [`M`]: complex vectors and matrices whose sizes are part of their types (hmatrix's
//! `C n` and `M m n`).
//!
//! Their coordinates (for [`Coords`](backprop_core::Coords), so for the gradient checker) are
//! the real and imaginary part of each entry, entry by entry in row-major order:
//! `[Re z₀, Im z₀, Re z₁, Im z₁, ...]`. Gradients with respect to them follow the convention in
//! [`ops::complex`](mod@crate::ops::complex): the gradient of a real loss `ℓ` with respect to
//! `z = x + iy` is `∂ℓ/∂x + i·∂ℓ/∂y`, which is the gradient with respect to those coordinates.
//!
//! Element-wise `+ - * /` and unary `-` work on references and values, so `BVar`s of these
//! types combine with the operators; their `Backprop` impls declare them complex, so the
//! product and quotient rules conjugate the other operand (`x̄ = ȳ∘conj(y)`), and elementary
//! functions give `x̄ = ȳ∘conj(f'(x))`. The matrix products with gradients are
//! [`mul_c`](crate::mul_c), [`app_c`](crate::app_c), [`dot_c`](crate::dot_c) and
//! [`outer_c`](crate::outer_c).

use std::marker::PhantomData;

use num_complex::Complex64;
use typenum::Unsigned;

use crate::backend::{ComplexBackend, ComplexMatrix, ComplexVector, LinalgError, or_fail};
use crate::dense::{Construct, Dense, MatKind, VecKind, impl_dense};
use crate::{L, R};

use backprop_backend::LinalgBackend;

/// A complex vector of length `N` (hmatrix's `C n`), stored by backend `B`.
///
/// ```
/// use backprop_linalg::{C, R, typenum::U2};
/// use num_complex::Complex64;
///
/// let z: C<U2> = C::from_parts(&R::from_slice(&[1.0, 2.0]), &R::from_slice(&[3.0, 4.0]));
/// assert_eq!(z.get(1), Complex64::new(2.0, 4.0));
/// assert_eq!(z.im().to_vec(), vec![3.0, 4.0]);
/// ```
pub struct C<N: Unsigned + 'static, B: ComplexBackend = crate::DefaultBackend> {
    data: ComplexVector<B>,
    _len: PhantomData<fn() -> N>,
}

/// A complex `Rows×Cols` matrix (hmatrix's `M m n`), stored by backend `B`.
///
/// ```
/// use backprop_linalg::{M, typenum::{U2, U3}};
/// use num_complex::Complex64;
///
/// let a: M<U2, U3> = M::from_fn(|i, j| Complex64::new(i as f64, j as f64));
/// assert_eq!(a.get(1, 2), Complex64::new(1.0, 2.0));
/// assert_eq!(a.re().get(1, 2), 1.0);
/// ```
pub struct M<
    Rows: Unsigned + 'static,
    Cols: Unsigned + 'static,
    B: ComplexBackend = crate::DefaultBackend,
> {
    data: ComplexMatrix<B>,
    _shape: PhantomData<fn() -> (Rows, Cols)>,
}

impl<N: Unsigned + 'static, B: ComplexBackend> Construct<B, Complex64> for C<N, B> {
    type Kind = VecKind;
    fn data_mut(&mut self) -> &mut ComplexVector<B> {
        &mut self.data
    }
    fn wrap(data: ComplexVector<B>) -> Self {
        C {
            data,
            _len: PhantomData,
        }
    }
}

impl<N: Unsigned + 'static, B: ComplexBackend> Dense<B, Complex64> for C<N, B> {
    fn data(&self) -> &ComplexVector<B> {
        &self.data
    }
}

impl<Rows: Unsigned + 'static, Cols: Unsigned + 'static, B: ComplexBackend> Dense<B, Complex64>
    for M<Rows, Cols, B>
{
    fn data(&self) -> &ComplexMatrix<B> {
        &self.data
    }
}

impl<Rows: Unsigned + 'static, Cols: Unsigned + 'static, B: ComplexBackend> Construct<B, Complex64>
    for M<Rows, Cols, B>
{
    type Kind = MatKind;
    fn data_mut(&mut self) -> &mut ComplexMatrix<B> {
        &mut self.data
    }
    fn wrap(data: ComplexMatrix<B>) -> Self {
        M {
            data,
            _shape: PhantomData,
        }
    }
}

impl_dense!(complex [N: Unsigned + 'static, B: ComplexBackend] C<N, B>);
impl_dense!(complex [Rows: Unsigned + 'static, Cols: Unsigned + 'static, B: ComplexBackend] M<Rows, Cols, B>);

impl<N: Unsigned + 'static, B: ComplexBackend> C<N, B> {
    /// The length `N`.
    pub const LEN: usize = N::USIZE;

    /// Entry `i` from `f(i)`.
    pub fn from_fn(f: impl FnMut(usize) -> Complex64) -> Self {
        Self::wrap(<B as LinalgBackend<Complex64>>::vec_from_fn(N::USIZE, f))
    }

    /// All entries equal to `z` (hmatrix's `konst`).
    pub fn konst(z: Complex64) -> Self {
        Self::from_fn(|_| z)
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(Complex64::new(0.0, 0.0))
    }

    /// `re + i·im`, entry by entry (hmatrix's `toComplex`, on plain values).
    pub fn from_parts(re: &R<N, B>, im: &R<N, B>) -> Self {
        Self::from_fn(|i| Complex64::new(re.get(i), im.get(i)))
    }

    /// From a slice of length `N`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if the slice's length is not `N`.
    pub fn try_from_slice(s: &[Complex64]) -> Result<Self, LinalgError> {
        if s.len() != N::USIZE {
            return Err(LinalgError::ShapeMismatch {
                op: "C::from_slice",
                expected: format!("{} entries", N::USIZE),
                found: format!("{} entries", s.len()),
            });
        }
        Ok(Self::wrap(<B as LinalgBackend<Complex64>>::vec_from_slice(
            s,
        )))
    }

    /// From a slice of length `N`.
    ///
    /// # Panics
    /// If the slice's length is not `N`, with the message of [`C::try_from_slice`].
    #[track_caller]
    pub fn from_slice(s: &[Complex64]) -> Self {
        or_fail(Self::try_from_slice(s))
    }

    /// From the backend's complex vector storage.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if its length is not `N`.
    pub fn try_from_data(data: ComplexVector<B>) -> Result<Self, LinalgError> {
        let len = <B as LinalgBackend<Complex64>>::vec_len(&data);
        if len != N::USIZE {
            return Err(LinalgError::ShapeMismatch {
                op: "C::from_data",
                expected: format!("{} entries", N::USIZE),
                found: format!("{len} entries"),
            });
        }
        Ok(Self::wrap(data))
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &ComplexVector<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably: an update in place with the backend's own
    /// routines (an optimiser's step, say).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape (the type's size would no longer hold).
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut ComplexVector<B>) -> T) -> T {
        crate::dense::any::update_data(self, f)
    }

    /// The backend's storage.
    pub fn into_data(self) -> ComplexVector<B> {
        crate::dense::any::into_data(self)
    }

    /// Entry `i`.
    ///
    /// # Panics
    /// If `i >= N`.
    #[track_caller]
    pub fn get(&self, i: usize) -> Complex64 {
        assert!(
            i < N::USIZE,
            "C::get: index {i} out of bounds for length {}",
            N::USIZE
        );
        <B as LinalgBackend<Complex64>>::vec_get(&self.data, i)
    }

    /// The entries.
    pub fn to_vec(&self) -> Vec<Complex64> {
        <B as LinalgBackend<Complex64>>::vec_to_vec(&self.data)
    }

    /// The real parts (hmatrix's `real`, on plain values).
    pub fn re(&self) -> R<N, B> {
        R::from_fn(|i| self.get(i).re)
    }

    /// The imaginary parts (hmatrix's `imag`, on plain values).
    pub fn im(&self) -> R<N, B> {
        R::from_fn(|i| self.get(i).im)
    }
}

impl<Rows: Unsigned + 'static, Cols: Unsigned + 'static, B: ComplexBackend> M<Rows, Cols, B> {
    /// Number of rows.
    pub const ROWS: usize = Rows::USIZE;
    /// Number of columns.
    pub const COLS: usize = Cols::USIZE;

    /// Entry `(i, j)` from `f(i, j)`.
    pub fn from_fn(f: impl FnMut(usize, usize) -> Complex64) -> Self {
        Self::wrap(<B as LinalgBackend<Complex64>>::mat_from_fn(
            Rows::USIZE,
            Cols::USIZE,
            f,
        ))
    }

    /// All entries equal to `z` (hmatrix's `konst`).
    pub fn konst(z: Complex64) -> Self {
        Self::from_fn(|_, _| z)
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(Complex64::new(0.0, 0.0))
    }

    /// `re + i·im`, entry by entry.
    pub fn from_parts(re: &L<Rows, Cols, B>, im: &L<Rows, Cols, B>) -> Self {
        Self::from_fn(|i, j| Complex64::new(re.get(i, j), im.get(i, j)))
    }

    /// From `Rows·Cols` entries in row-major order.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"M::from_row_major"`) if the slice's length is not
    /// `Rows·Cols`.
    pub fn try_from_row_major(s: &[Complex64]) -> Result<Self, LinalgError> {
        <B as LinalgBackend<Complex64>>::mat_from_row_major(Rows::USIZE, Cols::USIZE, s)
            .map(Self::wrap)
            .map_err(|e| e.with_op("M::from_row_major"))
    }

    /// From `Rows·Cols` entries in row-major order.
    ///
    /// # Panics
    /// If the slice's length is not `Rows·Cols`, with the message of [`M::try_from_row_major`].
    #[track_caller]
    pub fn from_row_major(s: &[Complex64]) -> Self {
        or_fail(Self::try_from_row_major(s))
    }

    /// From the backend's complex matrix storage.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if its shape is not `Rows×Cols`.
    pub fn try_from_data(data: ComplexMatrix<B>) -> Result<Self, LinalgError> {
        let (r, c) = <B as LinalgBackend<Complex64>>::mat_shape(&data);
        if (r, c) != (Rows::USIZE, Cols::USIZE) {
            return Err(LinalgError::ShapeMismatch {
                op: "M::from_data",
                expected: format!("{}×{}", Rows::USIZE, Cols::USIZE),
                found: format!("{r}×{c}"),
            });
        }
        Ok(Self::wrap(data))
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &ComplexMatrix<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably: an update in place with the backend's own
    /// routines (an optimiser's step, say).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape (the type's size would no longer hold).
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut ComplexMatrix<B>) -> T) -> T {
        crate::dense::any::update_data(self, f)
    }

    /// The backend's storage.
    pub fn into_data(self) -> ComplexMatrix<B> {
        crate::dense::any::into_data(self)
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> Complex64 {
        assert!(
            i < Rows::USIZE && j < Cols::USIZE,
            "M::get: index ({i}, {j}) out of bounds for {}×{}",
            Rows::USIZE,
            Cols::USIZE
        );
        <B as LinalgBackend<Complex64>>::mat_get(&self.data, i, j)
    }

    /// The entries in row-major order.
    pub fn to_row_major(&self) -> Vec<Complex64> {
        <B as LinalgBackend<Complex64>>::mat_to_row_major(&self.data)
    }

    /// The real parts.
    pub fn re(&self) -> L<Rows, Cols, B> {
        L::from_fn(|i, j| self.get(i, j).re)
    }

    /// The imaginary parts.
    pub fn im(&self) -> L<Rows, Cols, B> {
        L::from_fn(|i, j| self.get(i, j).im)
    }
}
