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

use crate::backend::ComplexOf;
use typenum::U1;

use crate::backend::{ComplexBackend, ComplexMatrix, ComplexVector, LinalgError, or_fail};
use crate::dense::{Construct, Dense, MatKind, VecKind, any, impl_dense};
use crate::dim::{Dim, Dyn, StaticDim};
use crate::{L, R};

use backprop_backend::LinalgBackend;

/// A complex vector of length `N` (hmatrix's `C n`, a [`Dim`]: static or [`Dyn`]), stored by
/// backend `B`.
///
/// ```
/// use backprop_linalg::{C, R, typenum::U2};
/// use num_complex::Complex64;
///
/// let z: C<U2> = C::from_parts(&R::from_slice(&[1.0, 2.0]), &R::from_slice(&[3.0, 4.0]));
/// assert_eq!(z.get(1), Complex64::new(2.0, 4.0));
/// assert_eq!(z.im().to_vec(), vec![3.0, 4.0]);
/// ```
pub struct C<N: Dim, B: ComplexBackend = crate::DefaultBackend> {
    data: ComplexVector<B>,
    _len: PhantomData<fn() -> N>,
}

/// A complex `Rows×Cols` matrix (hmatrix's `M m n`; each size a [`Dim`]), stored by backend
/// `B`.
///
/// ```
/// use backprop_linalg::{M, typenum::{U2, U3}};
/// use num_complex::Complex64;
///
/// let a: M<U2, U3> = M::from_fn(|i, j| Complex64::new(i as f64, j as f64));
/// assert_eq!(a.get(1, 2), Complex64::new(1.0, 2.0));
/// assert_eq!(a.re().get(1, 2), 1.0);
/// ```
pub struct M<Rows: Dim, Cols: Dim, B: ComplexBackend = crate::DefaultBackend> {
    data: ComplexMatrix<B>,
    _shape: PhantomData<fn() -> (Rows, Cols)>,
}

impl<N: Dim, B: ComplexBackend> Construct<B, ComplexOf<B>> for C<N, B> {
    type Kind = VecKind;
    type Rows = N;
    type Cols = U1;
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

impl<N: Dim, B: ComplexBackend> Dense<B, ComplexOf<B>> for C<N, B> {
    fn data(&self) -> &ComplexVector<B> {
        &self.data
    }
}

impl<Rows: Dim, Cols: Dim, B: ComplexBackend> Dense<B, ComplexOf<B>> for M<Rows, Cols, B> {
    fn data(&self) -> &ComplexMatrix<B> {
        &self.data
    }
}

impl<Rows: Dim, Cols: Dim, B: ComplexBackend> Construct<B, ComplexOf<B>> for M<Rows, Cols, B> {
    type Kind = MatKind;
    type Rows = Rows;
    type Cols = Cols;
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

impl_dense!(complex [N: Dim, B: ComplexBackend] C<N, B>);
impl_dense!(complex [Rows: Dim, Cols: Dim, B: ComplexBackend] M<Rows, Cols, B>);

impl<N: Dim, B: ComplexBackend> C<N, B> {
    /// Entry `i` of `n` from `f(i)`, for a length the caller knows to be the type's.
    pub(crate) fn build(n: usize, f: impl FnMut(usize) -> ComplexOf<B>) -> Self {
        debug_assert!(N::admits(n));
        Self::wrap(<B as LinalgBackend<ComplexOf<B>>>::vec_from_fn(n, f))
    }

    /// From the real and imaginary parts.
    ///
    /// # Panics
    /// If the parts' lengths differ (possible only for run-time lengths).
    #[track_caller]
    pub fn from_parts(re: &R<N, B>, im: &R<N, B>) -> Self {
        let n = re.len();
        assert_eq!(
            n,
            im.len(),
            "C::from_parts: the real and imaginary parts' lengths differ"
        );
        Self::wrap(<B as LinalgBackend<ComplexOf<B>>>::vec_from_fn(n, |i| {
            ComplexOf::<B>::new(re.get(i), im.get(i))
        }))
    }

    /// Entry `i` of `n` from `f(i)`: the constructor for a run-time length.
    ///
    /// # Panics
    /// If `N` is static and `n` is not `N`.
    #[track_caller]
    pub fn from_fn_len(n: usize, f: impl FnMut(usize) -> ComplexOf<B>) -> Self {
        if !N::admits(n) {
            crate::backend::fail(any::mismatch::<ComplexOf<B>, B, Self>(
                "C::from_fn_len",
                (n, 1),
            ));
        }
        Self::build(n, f)
    }

    /// From a slice (of length `N` if `N` is static).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"C::from_slice"`) if `N` is static and the slice's
    /// length is not `N`.
    pub fn try_from_slice(s: &[ComplexOf<B>]) -> Result<Self, LinalgError> {
        let data = <B as LinalgBackend<ComplexOf<B>>>::vec_from_slice(s);
        any::try_wrap::<ComplexOf<B>, B, Self>("C::from_slice", data)
    }

    /// From a slice (of length `N` if `N` is static).
    ///
    /// # Panics
    /// If the slice's length is not `N`, with the message of [`C::try_from_slice`].
    #[track_caller]
    pub fn from_slice(s: &[ComplexOf<B>]) -> Self {
        or_fail(Self::try_from_slice(s))
    }

    /// From the backend's complex storage, moved in without a copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if `N` is static and the length is not `N`.
    pub fn try_from_data(data: ComplexVector<B>) -> Result<Self, LinalgError> {
        any::try_wrap::<ComplexOf<B>, B, Self>("C::from_data", data)
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &ComplexVector<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably (see [`R::update_data`]).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape.
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut ComplexVector<B>) -> T) -> T {
        any::update_data(self, f)
    }

    /// The backend's storage, moved out without a copy.
    pub fn into_data(self) -> ComplexVector<B> {
        any::into_data(self)
    }

    /// The same vector with a run-time length; no copy.
    pub fn into_dyn(self) -> C<Dyn, B> {
        or_fail(any::try_recast::<ComplexOf<B>, B, Self, C<Dyn, B>>(
            "C::into_dyn",
            self,
        ))
    }

    /// The same vector with length type `P` (usually static); no copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"C::try_into_static"`) if the length is not `P`.
    pub fn try_into_static<P: Dim>(self) -> Result<C<P, B>, LinalgError> {
        any::try_recast::<ComplexOf<B>, B, Self, C<P, B>>("C::try_into_static", self)
    }

    /// The length.
    pub fn len(&self) -> usize {
        match N::STATIC {
            Some(n) => n,
            None => <B as LinalgBackend<ComplexOf<B>>>::vec_len(&self.data),
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
    pub fn get(&self, i: usize) -> ComplexOf<B> {
        let n = self.len();
        assert!(i < n, "C::get: index {i} out of bounds for length {n}");
        <B as LinalgBackend<ComplexOf<B>>>::vec_get(&self.data, i)
    }

    /// The entries.
    pub fn to_vec(&self) -> Vec<ComplexOf<B>> {
        <B as LinalgBackend<ComplexOf<B>>>::vec_to_vec(&self.data)
    }

    /// The real parts.
    pub fn re(&self) -> R<N, B> {
        R::wrap(B::vec_from_fn(self.len(), |i| self.get(i).re))
    }

    /// The imaginary parts.
    pub fn im(&self) -> R<N, B> {
        R::wrap(B::vec_from_fn(self.len(), |i| self.get(i).im))
    }
}

impl<N: StaticDim, B: ComplexBackend> C<N, B> {
    /// The length `N`.
    pub const LEN: usize = N::SIZE;

    /// Entry `i` from `f(i)`.
    pub fn from_fn(f: impl FnMut(usize) -> ComplexOf<B>) -> Self {
        Self::wrap(<B as LinalgBackend<ComplexOf<B>>>::vec_from_fn(N::SIZE, f))
    }

    /// All entries equal to `z`.
    pub fn konst(z: ComplexOf<B>) -> Self {
        Self::from_fn(|_| z)
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(num_traits::Zero::zero())
    }
}

impl<Rows: Dim, Cols: Dim, B: ComplexBackend> M<Rows, Cols, B> {
    /// Entry `(i, j)` of a `rows×cols` matrix from `f(i, j)`, for a shape the caller knows to
    /// be the type's.
    pub(crate) fn build(
        rows: usize,
        cols: usize,
        f: impl FnMut(usize, usize) -> ComplexOf<B>,
    ) -> Self {
        debug_assert!(Rows::admits(rows) && Cols::admits(cols));
        Self::wrap(<B as LinalgBackend<ComplexOf<B>>>::mat_from_fn(
            rows, cols, f,
        ))
    }

    /// From the real and imaginary parts.
    ///
    /// # Panics
    /// If the parts' shapes differ (possible only for run-time sizes).
    #[track_caller]
    pub fn from_parts(re: &L<Rows, Cols, B>, im: &L<Rows, Cols, B>) -> Self {
        let (r, c) = re.shape();
        assert_eq!(
            (r, c),
            im.shape(),
            "M::from_parts: the real and imaginary parts' shapes differ"
        );
        Self::wrap(<B as LinalgBackend<ComplexOf<B>>>::mat_from_fn(
            r,
            c,
            |i, j| ComplexOf::<B>::new(re.get(i, j), im.get(i, j)),
        ))
    }

    /// From `rows·cols` entries in row-major order, for any sizes (a static size must be the
    /// type's).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"M::from_row_major"`) if the slice's length is not
    /// `rows·cols`, or a static size is not the type's.
    pub fn try_from_row_major_shape(
        rows: usize,
        cols: usize,
        s: &[ComplexOf<B>],
    ) -> Result<Self, LinalgError> {
        const OP: &str = "M::from_row_major";
        let data = <B as LinalgBackend<ComplexOf<B>>>::mat_from_row_major(rows, cols, s)
            .map_err(|e| e.with_op(OP))?;
        any::try_wrap::<ComplexOf<B>, B, Self>(OP, data)
    }

    /// Entry `(i, j)` of a `rows×cols` matrix from `f(i, j)`: the constructor for run-time
    /// sizes.
    ///
    /// # Panics
    /// If a static size is not the type's.
    #[track_caller]
    pub fn from_fn_shape(
        rows: usize,
        cols: usize,
        f: impl FnMut(usize, usize) -> ComplexOf<B>,
    ) -> Self {
        if !any::fits::<ComplexOf<B>, B, Self>((rows, cols)) {
            crate::backend::fail(any::mismatch::<ComplexOf<B>, B, Self>(
                "M::from_fn_shape",
                (rows, cols),
            ));
        }
        Self::build(rows, cols, f)
    }

    /// From `rows·cols` entries in row-major order: `M::<Dyn, Dyn>::from_row_major_shape(r, c,
    /// s)`.
    ///
    /// # Panics
    /// With the message of [`M::try_from_row_major_shape`].
    #[track_caller]
    pub fn from_row_major_shape(rows: usize, cols: usize, s: &[ComplexOf<B>]) -> Self {
        or_fail(Self::try_from_row_major_shape(rows, cols, s))
    }

    /// From the backend's complex storage, moved in without a copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] if a static size is not the storage's.
    pub fn try_from_data(data: ComplexMatrix<B>) -> Result<Self, LinalgError> {
        any::try_wrap::<ComplexOf<B>, B, Self>("M::from_data", data)
    }

    /// The backend's storage, borrowed.
    pub fn as_data(&self) -> &ComplexMatrix<B> {
        &self.data
    }

    /// Runs `f` on the backend's storage, mutably (see [`L::update_data`]).
    ///
    /// # Panics
    /// If `f` leaves storage of another shape.
    #[track_caller]
    pub fn update_data<T>(&mut self, f: impl FnOnce(&mut ComplexMatrix<B>) -> T) -> T {
        any::update_data(self, f)
    }

    /// The backend's storage, moved out without a copy.
    pub fn into_data(self) -> ComplexMatrix<B> {
        any::into_data(self)
    }

    /// The same matrix with run-time sizes; no copy.
    pub fn into_dyn(self) -> M<Dyn, Dyn, B> {
        or_fail(any::try_recast::<ComplexOf<B>, B, Self, M<Dyn, Dyn, B>>(
            "M::into_dyn",
            self,
        ))
    }

    /// The same matrix with sizes `P×Q` (usually static); no copy.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"M::try_into_static"`) if the shape is not `P×Q`.
    pub fn try_into_static<P: Dim, Q: Dim>(self) -> Result<M<P, Q, B>, LinalgError> {
        any::try_recast::<ComplexOf<B>, B, Self, M<P, Q, B>>("M::try_into_static", self)
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        match (Rows::STATIC, Cols::STATIC) {
            (Some(m), Some(n)) => (m, n),
            _ => <B as LinalgBackend<ComplexOf<B>>>::mat_shape(&self.data),
        }
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[track_caller]
    pub fn get(&self, i: usize, j: usize) -> ComplexOf<B> {
        let (m, n) = self.shape();
        assert!(
            i < m && j < n,
            "M::get: index ({i}, {j}) out of bounds for {m}×{n}"
        );
        <B as LinalgBackend<ComplexOf<B>>>::mat_get(&self.data, i, j)
    }

    /// The entries in row-major order.
    pub fn to_row_major(&self) -> Vec<ComplexOf<B>> {
        <B as LinalgBackend<ComplexOf<B>>>::mat_to_row_major(&self.data)
    }

    /// The real parts.
    pub fn re(&self) -> L<Rows, Cols, B> {
        let (m, n) = self.shape();
        L::wrap(B::mat_from_fn(m, n, |i, j| self.get(i, j).re))
    }

    /// The imaginary parts.
    pub fn im(&self) -> L<Rows, Cols, B> {
        let (m, n) = self.shape();
        L::wrap(B::mat_from_fn(m, n, |i, j| self.get(i, j).im))
    }
}

impl<Rows: StaticDim, Cols: StaticDim, B: ComplexBackend> M<Rows, Cols, B> {
    /// Number of rows.
    pub const ROWS: usize = Rows::SIZE;
    /// Number of columns.
    pub const COLS: usize = Cols::SIZE;

    /// Entry `(i, j)` from `f(i, j)`.
    pub fn from_fn(f: impl FnMut(usize, usize) -> ComplexOf<B>) -> Self {
        Self::wrap(<B as LinalgBackend<ComplexOf<B>>>::mat_from_fn(
            Rows::SIZE,
            Cols::SIZE,
            f,
        ))
    }

    /// All entries equal to `z`.
    pub fn konst(z: ComplexOf<B>) -> Self {
        Self::from_fn(|_, _| z)
    }

    /// All zeros.
    pub fn zeros() -> Self {
        Self::konst(num_traits::Zero::zero())
    }

    /// From `Rows·Cols` entries in row-major order.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] (op `"M::from_row_major"`) if the slice's length is not
    /// `Rows·Cols`.
    pub fn try_from_row_major(s: &[ComplexOf<B>]) -> Result<Self, LinalgError> {
        Self::try_from_row_major_shape(Rows::SIZE, Cols::SIZE, s)
    }

    /// From `Rows·Cols` entries in row-major order.
    ///
    /// # Panics
    /// If the slice's length is not `Rows·Cols`.
    #[track_caller]
    pub fn from_row_major(s: &[ComplexOf<B>]) -> Self {
        or_fail(Self::try_from_row_major(s))
    }
}
