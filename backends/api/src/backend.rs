//! [`LinalgBackend`]: storage, element-wise arithmetic, reductions, products and structure.
//!
//! A new backend implements these hooks; the provided methods validate: see "The contract" in
//! the documentation of [`LinalgBackend`], the same split as [`Factorize`](crate::Factorize)'s.

use core::fmt::Debug;
use core::ops::Range;

use num_traits::{Float, Zero};

use crate::{LinalgError, RealScalar, Scalar, Transpose, validate};

/// Numeric primitives over one matrix library, for one scalar type `T`.
///
/// A backend is a zero-sized marker type (`backprop_faer::Faer`, ...) whose associated types are
/// the library's owned vector and matrix. Functions take no `self`: call them as
/// `B::mat_zeros(2, 3)` in code generic over `B: LinalgBackend<T>`.
///
/// # The contract: a backend implements the hooks, the provided methods validate
/// The split is the one of [`Factorize`](crate::Factorize):
///
/// - **Hooks** are what a backend writes: adapters to its library (construction, element
///   access, maps, folds) and the numerics of the operations on several operands. A hook named
///   `*_unchecked` serves the provided method of the same name without the suffix (the public
///   [`gemm`](Self::gemm) validates, then calls the hook [`gemm_unchecked`](Self::gemm_unchecked)).
///   It is called with shapes already checked by the caller, so it checks nothing and cannot
///   fail: it returns its result, not a `Result`. Called directly with shapes that do not fit,
///   it may panic or compute a wrong result (it is a safe function, nothing worse).
/// - **Required hooks**: construction and access, maps and folds, and
///   [`vec_zip_apply_unchecked`](Self::vec_zip_apply_unchecked),
///   [`mat_zip_apply_unchecked`](Self::mat_zip_apply_unchecked),
///   [`gemm_unchecked`](Self::gemm_unchecked), [`gemv_unchecked`](Self::gemv_unchecked).
/// - **Optional hooks** have generic defaults built on the required ones:
///   `vec_zip_map_unchecked`, `mat_zip_map_unchecked`, `vec_axpy_unchecked`,
///   `mat_axpy_unchecked`, `vec_copy_from_unchecked`, `mat_copy_from_unchecked`,
///   `ger_unchecked`, and the methods that cannot fail (`outer`, `mat_transpose`, the norms,
///   ...). A backend overrides one only to call a faster routine of its library, and must keep
///   the documented behaviour exactly.
/// - **Provided methods** are the public API (`backprop-linalg` and user code call them); a
///   backend never overrides one that returns a `Result`. Each checks its operands once, with
///   [`crate::validate`] (a check inlines to a comparison; its message is built out of line, on
///   the error path only), then calls a hook that does not check again. So every backend
///   refuses the same input with the same [`LinalgError`], and no hook calls `validate::`.
///
/// # Conventions (identical on every backend)
/// - Matrices are indexed `(row, column)`, from zero. "Row-major slice" means row 0 first.
/// - Element access (`vec_get`, `mat_get`, `vec_set`, `mat_set`) panics on an out-of-range
///   index, like slice indexing. Every other shape problem is a `Result`:
///   [`LinalgError::ShapeMismatch`] or [`LinalgError::OutOfBounds`], naming the operation.
/// - Products never materialise a transpose: [`Transpose`] flags select `A`, `Aᵀ` or `Aᴴ`.
///   With `beta = 0` the previous contents of the output are ignored (even NaN), as in BLAS.
/// - Complex: [`vec_dot`](Self::vec_dot) and [`mat_dot`](Self::mat_dot) conjugate their **first**
///   argument, `Σ conj(xᵢ)·yᵢ` (hmatrix's `<.>`); [`outer`](Self::outer) and [`ger`](Self::ger)
///   conjugate nothing (`x·yᵀ`); `Transpose::Yes` never conjugates, `Transpose::Adjoint` does.
/// - Norms return `T::Real`: 1-norm and ∞-norm of a matrix are the induced ones (max column sum,
///   max row sum of moduli); the matrix 2-norm (largest singular value) lives in
///   [`Factorize::mat_norm_2`](crate::Factorize::mat_norm_2).
pub trait LinalgBackend<T: Scalar>: Copy + Default + Debug + Send + Sync + 'static {
    /// Owned vector storage (e.g. `faer::Col<T>`).
    type Vector: Clone + Debug + Send + Sync + 'static;
    /// Owned matrix storage (e.g. `faer::Mat<T>`).
    type Matrix: Clone + Debug + Send + Sync + 'static;

    /// A short name for messages and test output, e.g. `"faer"`.
    const NAME: &'static str;

    // ----- construction and access (required) -----

    /// The vector `[f(0), f(1), ..., f(n-1)]`.
    fn vec_from_fn(n: usize, f: impl FnMut(usize) -> T) -> Self::Vector;
    /// Number of entries.
    fn vec_len(v: &Self::Vector) -> usize;
    /// Entry `i`.
    ///
    /// # Panics
    /// If `i >= len`.
    fn vec_get(v: &Self::Vector, i: usize) -> T;
    /// Sets entry `i`.
    ///
    /// # Panics
    /// If `i >= len`.
    fn vec_set(v: &mut Self::Vector, i: usize, x: T);
    /// The `rows×cols` matrix with entry `(i, j)` equal to `f(i, j)`.
    fn mat_from_fn(rows: usize, cols: usize, f: impl FnMut(usize, usize) -> T) -> Self::Matrix;
    /// `(rows, cols)`.
    fn mat_shape(a: &Self::Matrix) -> (usize, usize);
    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of range.
    fn mat_get(a: &Self::Matrix, i: usize, j: usize) -> T;
    /// Sets entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of range.
    fn mat_set(a: &mut Self::Matrix, i: usize, j: usize, x: T);

    // ----- maps and folds (required) -----

    /// `f` applied to every entry.
    fn vec_map(v: &Self::Vector, f: impl FnMut(T) -> T) -> Self::Vector;
    /// `f` applied to every entry, in place.
    fn vec_map_mut(v: &mut Self::Vector, f: impl FnMut(T) -> T);
    /// Folds the entries in index order.
    fn vec_fold<A>(v: &Self::Vector, init: A, f: impl FnMut(A, T) -> A) -> A;
    /// `f` applied to every entry.
    fn mat_map(a: &Self::Matrix, f: impl FnMut(T) -> T) -> Self::Matrix;
    /// `f` applied to every entry, in place.
    fn mat_map_mut(a: &mut Self::Matrix, f: impl FnMut(T) -> T);
    /// Folds the entries, in an order the backend chooses (use it only for order-insensitive
    /// reductions, up to rounding).
    fn mat_fold<A>(a: &Self::Matrix, init: A, f: impl FnMut(A, T) -> A) -> A;

    // ----- hooks: several operands, shapes already checked by the caller (required) -----

    /// Hook of [`vec_zip_apply`](Self::vec_zip_apply): `aᵢ ← f(aᵢ, bᵢ)` for every `i`, in
    /// place. The lengths are equal (already checked by the caller).
    fn vec_zip_apply_unchecked(a: &mut Self::Vector, b: &Self::Vector, f: impl FnMut(T, T) -> T);
    /// Hook of [`mat_zip_apply`](Self::mat_zip_apply): `aᵢⱼ ← f(aᵢⱼ, bᵢⱼ)` for every entry, in
    /// place. The shapes are equal (already checked by the caller).
    fn mat_zip_apply_unchecked(a: &mut Self::Matrix, b: &Self::Matrix, f: impl FnMut(T, T) -> T);

    /// Hook of [`gemm`](Self::gemm): `C = alpha·op(A)·op(B) + beta·C`, in place, without
    /// materialising transposes. The shapes fit (already checked by the caller). With
    /// `beta = 0` the previous contents of `C` must not be read (NaN included).
    #[allow(clippy::too_many_arguments)]
    fn gemm_unchecked(
        c: &mut Self::Matrix,
        alpha: T,
        a: &Self::Matrix,
        ta: Transpose,
        b: &Self::Matrix,
        tb: Transpose,
        beta: T,
    );

    /// Hook of [`gemv`](Self::gemv): `y = alpha·op(A)·x + beta·y`, in place. The lengths fit
    /// (already checked by the caller). With `beta = 0` the previous contents of `y` must not be
    /// read.
    fn gemv_unchecked(
        y: &mut Self::Vector,
        alpha: T,
        a: &Self::Matrix,
        ta: Transpose,
        x: &Self::Vector,
        beta: T,
    );

    // ----- hooks with generic defaults: shapes already checked by the caller (optional) -----

    /// Hook of [`vec_zip_map`](Self::vec_zip_map): `f(aᵢ, bᵢ)` for every `i`, lengths already
    /// checked by the caller. Default: a copy of `a` updated by
    /// [`vec_zip_apply_unchecked`](Self::vec_zip_apply_unchecked).
    fn vec_zip_map_unchecked(
        a: &Self::Vector,
        b: &Self::Vector,
        f: impl FnMut(T, T) -> T,
    ) -> Self::Vector {
        let mut out = a.clone();
        Self::vec_zip_apply_unchecked(&mut out, b, f);
        out
    }
    /// Hook of [`mat_zip_map`](Self::mat_zip_map): `f(aᵢⱼ, bᵢⱼ)` for every entry, shapes already
    /// checked by the caller. Default: a copy of `a` updated by
    /// [`mat_zip_apply_unchecked`](Self::mat_zip_apply_unchecked).
    fn mat_zip_map_unchecked(
        a: &Self::Matrix,
        b: &Self::Matrix,
        f: impl FnMut(T, T) -> T,
    ) -> Self::Matrix {
        let mut out = a.clone();
        Self::mat_zip_apply_unchecked(&mut out, b, f);
        out
    }
    /// Hook of [`vec_axpy`](Self::vec_axpy): `y += alpha·x`, lengths already checked by the
    /// caller.
    fn vec_axpy_unchecked(y: &mut Self::Vector, alpha: T, x: &Self::Vector) {
        Self::vec_zip_apply_unchecked(y, x, |yi, xi| yi + alpha * xi);
    }
    /// Hook of [`mat_axpy`](Self::mat_axpy): `y += alpha·x`, shapes already checked by the
    /// caller.
    fn mat_axpy_unchecked(y: &mut Self::Matrix, alpha: T, x: &Self::Matrix) {
        Self::mat_zip_apply_unchecked(y, x, |yi, xi| yi + alpha * xi);
    }
    /// Hook of [`vec_copy_from`](Self::vec_copy_from): `dst ← src` without allocating, lengths
    /// already checked by the caller.
    fn vec_copy_from_unchecked(dst: &mut Self::Vector, src: &Self::Vector) {
        Self::vec_zip_apply_unchecked(dst, src, |_, x| x);
    }
    /// Hook of [`mat_copy_from`](Self::mat_copy_from): `dst ← src` without allocating, shapes
    /// already checked by the caller.
    fn mat_copy_from_unchecked(dst: &mut Self::Matrix, src: &Self::Matrix) {
        Self::mat_zip_apply_unchecked(dst, src, |_, x| x);
    }
    /// Hook of [`ger`](Self::ger): `A = alpha·x·yᵀ + beta·A` (no conjugation), `A` already
    /// checked by the caller to be `len(x)×len(y)`. With `beta = 0` the previous contents of
    /// `A` must not be read (NaN included).
    fn ger_unchecked(a: &mut Self::Matrix, alpha: T, x: &Self::Vector, y: &Self::Vector, beta: T) {
        let (r, c) = (Self::vec_len(x), Self::vec_len(y));
        for j in 0..c {
            let yj = alpha * Self::vec_get(y, j);
            for i in 0..r {
                let old = if beta == T::zero() {
                    T::zero()
                } else {
                    beta * Self::mat_get(a, i, j)
                };
                Self::mat_set(a, i, j, old + Self::vec_get(x, i) * yj);
            }
        }
    }

    // ----- provided: element-wise operands and products, validated once -----

    /// `f(aᵢ, bᵢ)` for every `i`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ.
    fn vec_zip_map(
        a: &Self::Vector,
        b: &Self::Vector,
        f: impl FnMut(T, T) -> T,
    ) -> Result<Self::Vector, LinalgError> {
        validate::same_len("vec_zip_map", Self::vec_len(a), Self::vec_len(b))?;
        Ok(Self::vec_zip_map_unchecked(a, b, f))
    }
    /// `aᵢ ← f(aᵢ, bᵢ)` for every `i`, in place.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ (`a` is then unchanged).
    fn vec_zip_apply(
        a: &mut Self::Vector,
        b: &Self::Vector,
        f: impl FnMut(T, T) -> T,
    ) -> Result<(), LinalgError> {
        validate::same_len("vec_zip_apply", Self::vec_len(a), Self::vec_len(b))?;
        Self::vec_zip_apply_unchecked(a, b, f);
        Ok(())
    }
    /// `f(aᵢⱼ, bᵢⱼ)` for every entry.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ.
    fn mat_zip_map(
        a: &Self::Matrix,
        b: &Self::Matrix,
        f: impl FnMut(T, T) -> T,
    ) -> Result<Self::Matrix, LinalgError> {
        validate::same_shape("mat_zip_map", Self::mat_shape(a), Self::mat_shape(b))?;
        Ok(Self::mat_zip_map_unchecked(a, b, f))
    }
    /// `aᵢⱼ ← f(aᵢⱼ, bᵢⱼ)` for every entry, in place.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ (`a` is then unchanged).
    fn mat_zip_apply(
        a: &mut Self::Matrix,
        b: &Self::Matrix,
        f: impl FnMut(T, T) -> T,
    ) -> Result<(), LinalgError> {
        validate::same_shape("mat_zip_apply", Self::mat_shape(a), Self::mat_shape(b))?;
        Self::mat_zip_apply_unchecked(a, b, f);
        Ok(())
    }

    /// GEMM: `C = alpha·op(A)·op(B) + beta·C`, in place, without materialising transposes.
    ///
    /// With `beta = 0` the previous contents of `C` are not read.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when `op(A)` is `m×k`, `op(B)` is not `k×n`, or `C` is not
    /// `m×n`; `C` is left unchanged.
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        c: &mut Self::Matrix,
        alpha: T,
        a: &Self::Matrix,
        ta: Transpose,
        b: &Self::Matrix,
        tb: Transpose,
        beta: T,
    ) -> Result<(), LinalgError> {
        let (sc, sa, sb) = (Self::mat_shape(c), Self::mat_shape(a), Self::mat_shape(b));
        validate::gemm_shapes("gemm", sc, sa, ta, sb, tb)?;
        Self::gemm_unchecked(c, alpha, a, ta, b, tb, beta);
        Ok(())
    }

    /// GEMV: `y = alpha·op(A)·x + beta·y`, in place.
    ///
    /// With `beta = 0` the previous contents of `y` are not read.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when `x` or `y` has the wrong length; `y` is left unchanged.
    fn gemv(
        y: &mut Self::Vector,
        alpha: T,
        a: &Self::Matrix,
        ta: Transpose,
        x: &Self::Vector,
        beta: T,
    ) -> Result<(), LinalgError> {
        let (ny, sa, nx) = (Self::vec_len(y), Self::mat_shape(a), Self::vec_len(x));
        validate::gemv_shapes("gemv", ny, sa, ta, nx)?;
        Self::gemv_unchecked(y, alpha, a, ta, x, beta);
        Ok(())
    }

    // ----- provided: construction and conversion -----

    /// The zero vector of length `n`.
    fn vec_zeros(n: usize) -> Self::Vector {
        Self::vec_from_fn(n, |_| T::zero())
    }
    /// The vector holding a copy of `s`.
    fn vec_from_slice(s: &[T]) -> Self::Vector {
        Self::vec_from_fn(s.len(), |i| s[i])
    }
    /// The entries, in order.
    fn vec_to_vec(v: &Self::Vector) -> Vec<T> {
        Self::vec_fold(v, Vec::with_capacity(Self::vec_len(v)), |mut acc, x| {
            acc.push(x);
            acc
        })
    }
    /// The `rows×cols` zero matrix.
    fn mat_zeros(rows: usize, cols: usize) -> Self::Matrix {
        Self::mat_from_fn(rows, cols, |_, _| T::zero())
    }
    /// The `n×n` identity.
    fn mat_identity(n: usize) -> Self::Matrix {
        Self::mat_from_fn(n, n, |i, j| if i == j { T::one() } else { T::zero() })
    }
    /// The `rows×cols` matrix read from a row-major slice (row 0 first).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
    fn mat_from_row_major(
        rows: usize,
        cols: usize,
        data: &[T],
    ) -> Result<Self::Matrix, LinalgError> {
        validate::same_len("mat_from_row_major", rows * cols, data.len())?;
        Ok(Self::mat_from_fn(rows, cols, |i, j| data[i * cols + j]))
    }
    /// The `rows×cols` matrix read from a column-major slice (column 0 first).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when `data.len() != rows·cols`.
    fn mat_from_col_major(
        rows: usize,
        cols: usize,
        data: &[T],
    ) -> Result<Self::Matrix, LinalgError> {
        validate::same_len("mat_from_col_major", rows * cols, data.len())?;
        Ok(Self::mat_from_fn(rows, cols, |i, j| data[j * rows + i]))
    }
    /// The entries in row-major order.
    fn mat_to_row_major(a: &Self::Matrix) -> Vec<T> {
        let (r, c) = Self::mat_shape(a);
        let mut out = Vec::with_capacity(r * c);
        for i in 0..r {
            for j in 0..c {
                out.push(Self::mat_get(a, i, j));
            }
        }
        out
    }

    // ----- provided: element-wise arithmetic -----

    /// `a + b`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ.
    fn vec_add(a: &Self::Vector, b: &Self::Vector) -> Result<Self::Vector, LinalgError> {
        Self::vec_zip_map(a, b, |x, y| x + y)
    }
    /// `a - b`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ.
    fn vec_sub(a: &Self::Vector, b: &Self::Vector) -> Result<Self::Vector, LinalgError> {
        Self::vec_zip_map(a, b, |x, y| x - y)
    }
    /// Element-wise (Hadamard) product.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ.
    fn vec_mul(a: &Self::Vector, b: &Self::Vector) -> Result<Self::Vector, LinalgError> {
        Self::vec_zip_map(a, b, |x, y| x * y)
    }
    /// Element-wise quotient (IEEE semantics: division by zero gives ±inf or NaN).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ.
    fn vec_div(a: &Self::Vector, b: &Self::Vector) -> Result<Self::Vector, LinalgError> {
        Self::vec_zip_map(a, b, |x, y| x / y)
    }
    /// `-v`.
    fn vec_neg(v: &Self::Vector) -> Self::Vector {
        Self::vec_map(v, |x| -x)
    }
    /// `alpha·v`.
    fn vec_scale(v: &Self::Vector, alpha: T) -> Self::Vector {
        Self::vec_map(v, |x| alpha * x)
    }
    /// `y += alpha·x`, in place (accumulate without allocating).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ; `y` is left unchanged.
    fn vec_axpy(y: &mut Self::Vector, alpha: T, x: &Self::Vector) -> Result<(), LinalgError> {
        validate::same_len("vec_axpy", Self::vec_len(y), Self::vec_len(x))?;
        Self::vec_axpy_unchecked(y, alpha, x);
        Ok(())
    }
    /// `dst ← src`, in place (a copy into existing storage, without allocating).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ; `dst` is left unchanged.
    fn vec_copy_from(dst: &mut Self::Vector, src: &Self::Vector) -> Result<(), LinalgError> {
        validate::same_len("vec_copy_from", Self::vec_len(dst), Self::vec_len(src))?;
        Self::vec_copy_from_unchecked(dst, src);
        Ok(())
    }
    /// `a + b`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ.
    fn mat_add(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        Self::mat_zip_map(a, b, |x, y| x + y)
    }
    /// `a - b`.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ.
    fn mat_sub(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        Self::mat_zip_map(a, b, |x, y| x - y)
    }
    /// Element-wise (Hadamard) product.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ.
    fn mat_mul(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        Self::mat_zip_map(a, b, |x, y| x * y)
    }
    /// Element-wise quotient (IEEE semantics).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ.
    fn mat_div(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        Self::mat_zip_map(a, b, |x, y| x / y)
    }
    /// `-a`.
    fn mat_neg(a: &Self::Matrix) -> Self::Matrix {
        Self::mat_map(a, |x| -x)
    }
    /// `alpha·a`.
    fn mat_scale(a: &Self::Matrix, alpha: T) -> Self::Matrix {
        Self::mat_map(a, |x| alpha * x)
    }
    /// `y += alpha·x`, in place.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ; `y` is left unchanged.
    fn mat_axpy(y: &mut Self::Matrix, alpha: T, x: &Self::Matrix) -> Result<(), LinalgError> {
        validate::same_shape("mat_axpy", Self::mat_shape(y), Self::mat_shape(x))?;
        Self::mat_axpy_unchecked(y, alpha, x);
        Ok(())
    }

    /// `dst ← src`, in place (a copy into existing storage, without allocating).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ; `dst` is left unchanged.
    fn mat_copy_from(dst: &mut Self::Matrix, src: &Self::Matrix) -> Result<(), LinalgError> {
        validate::same_shape("mat_copy_from", Self::mat_shape(dst), Self::mat_shape(src))?;
        Self::mat_copy_from_unchecked(dst, src);
        Ok(())
    }

    // ----- provided: reductions -----

    /// Sum of the entries.
    fn vec_sum(v: &Self::Vector) -> T {
        Self::vec_fold(v, T::zero(), |acc, x| acc + x)
    }
    /// `Σ conj(aᵢ)·bᵢ` (conjugates the first argument; plain dot product for reals).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the lengths differ.
    fn vec_dot(a: &Self::Vector, b: &Self::Vector) -> Result<T, LinalgError> {
        validate::same_len("vec_dot", Self::vec_len(a), Self::vec_len(b))?;
        Ok((0..Self::vec_len(a)).fold(T::zero(), |acc, i| {
            acc + Self::vec_get(a, i).conj() * Self::vec_get(b, i)
        }))
    }
    /// `Σ |vᵢ|`.
    fn vec_norm_1(v: &Self::Vector) -> T::Real {
        Self::vec_fold(v, T::Real::zero(), |acc, x| acc + x.modulus())
    }
    /// `sqrt(Σ |vᵢ|²)`, computed with scaling so that it neither overflows nor underflows.
    fn vec_norm_2(v: &Self::Vector) -> T::Real {
        let scale = Self::vec_norm_inf(v);
        if scale == T::Real::zero() || !scale.is_finite() {
            return scale;
        }
        let ss = Self::vec_fold(v, T::Real::zero(), |acc, x| {
            let r = x.modulus() / scale;
            acc + r * r
        });
        scale * ss.sqrt()
    }
    /// `max |vᵢ|` (0 for an empty vector; NaN if an entry is NaN).
    fn vec_norm_inf(v: &Self::Vector) -> T::Real {
        Self::vec_fold(v, T::Real::zero(), |acc, x| max_nan(acc, x.modulus()))
    }
    /// Number of non-zero entries (hmatrix's `norm_0`).
    fn vec_count_nonzero(v: &Self::Vector) -> usize {
        Self::vec_fold(v, 0, |acc, x| acc + usize::from(x != T::zero()))
    }
    /// Sum of the entries.
    fn mat_sum(a: &Self::Matrix) -> T {
        Self::mat_fold(a, T::zero(), |acc, x| acc + x)
    }
    /// Frobenius inner product `Σ conj(aᵢⱼ)·bᵢⱼ` (conjugates the first argument).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the shapes differ.
    fn mat_dot(a: &Self::Matrix, b: &Self::Matrix) -> Result<T, LinalgError> {
        let (r, c) = Self::mat_shape(a);
        validate::same_shape("mat_dot", (r, c), Self::mat_shape(b))?;
        let mut acc = T::zero();
        for j in 0..c {
            for i in 0..r {
                acc += Self::mat_get(a, i, j).conj() * Self::mat_get(b, i, j);
            }
        }
        Ok(acc)
    }
    /// Induced 1-norm: the largest column sum of moduli.
    fn mat_norm_1(a: &Self::Matrix) -> T::Real {
        let (r, c) = Self::mat_shape(a);
        (0..c).fold(T::Real::zero(), |best, j| {
            max_nan(
                best,
                (0..r).fold(T::Real::zero(), |s, i| s + Self::mat_get(a, i, j).modulus()),
            )
        })
    }
    /// Induced ∞-norm: the largest row sum of moduli.
    fn mat_norm_inf(a: &Self::Matrix) -> T::Real {
        let (r, c) = Self::mat_shape(a);
        (0..r).fold(T::Real::zero(), |best, i| {
            max_nan(
                best,
                (0..c).fold(T::Real::zero(), |s, j| s + Self::mat_get(a, i, j).modulus()),
            )
        })
    }
    /// Frobenius norm `sqrt(Σ |aᵢⱼ|²)`, scaled against overflow.
    fn mat_norm_frob(a: &Self::Matrix) -> T::Real {
        let scale = Self::mat_max_abs(a);
        if scale == T::Real::zero() || !scale.is_finite() {
            return scale;
        }
        let ss = Self::mat_fold(a, T::Real::zero(), |acc, x| {
            let r = x.modulus() / scale;
            acc + r * r
        });
        scale * ss.sqrt()
    }
    /// `max |aᵢⱼ|` (0 for an empty matrix; NaN if an entry is NaN).
    fn mat_max_abs(a: &Self::Matrix) -> T::Real {
        Self::mat_fold(a, T::Real::zero(), |acc, x| max_nan(acc, x.modulus()))
    }
    /// Number of non-zero entries.
    fn mat_count_nonzero(a: &Self::Matrix) -> usize {
        Self::mat_fold(a, 0, |acc, x| acc + usize::from(x != T::zero()))
    }

    // ----- provided: products -----

    /// `op(A)·op(B)` in a new matrix.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the inner dimensions differ.
    fn matmul(
        a: &Self::Matrix,
        ta: Transpose,
        b: &Self::Matrix,
        tb: Transpose,
    ) -> Result<Self::Matrix, LinalgError> {
        let (sa, sb) = (Self::mat_shape(a), Self::mat_shape(b));
        // The output is made `m×n`, so only the inner dimensions can mismatch.
        let out = (ta.apply_shape(sa).0, tb.apply_shape(sb).1);
        let (m, _, n) = validate::gemm_shapes("matmul", out, sa, ta, sb, tb)?;
        let mut c = Self::mat_zeros(m, n);
        Self::gemm_unchecked(&mut c, T::one(), a, ta, b, tb, T::zero());
        Ok(c)
    }
    /// `op(A)·x` in a new vector.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when `x` has the wrong length.
    fn matvec(
        a: &Self::Matrix,
        ta: Transpose,
        x: &Self::Vector,
    ) -> Result<Self::Vector, LinalgError> {
        let sa = Self::mat_shape(a);
        // The output is made of length `m`, so only `x` can have the wrong length.
        let (m, _) =
            validate::gemv_shapes("matvec", ta.apply_shape(sa).0, sa, ta, Self::vec_len(x))?;
        let mut y = Self::vec_zeros(m);
        Self::gemv_unchecked(&mut y, T::one(), a, ta, x, T::zero());
        Ok(y)
    }
    /// Outer product `x·yᵀ` (no conjugation) in a new matrix.
    fn outer(x: &Self::Vector, y: &Self::Vector) -> Self::Matrix {
        let mut a = Self::mat_zeros(Self::vec_len(x), Self::vec_len(y));
        Self::ger_unchecked(&mut a, T::one(), x, y, T::zero());
        a
    }
    /// Rank-one update `A = alpha·x·yᵀ + beta·A`, in place (no conjugation): `beta = 1`
    /// accumulates, `beta = 0` writes the outer product into `A`'s storage.
    ///
    /// With `beta = 0` the previous contents of `A` are not read.
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when `A` is not `len(x)×len(y)`; `A` is left unchanged.
    fn ger(
        a: &mut Self::Matrix,
        alpha: T,
        x: &Self::Vector,
        y: &Self::Vector,
        beta: T,
    ) -> Result<(), LinalgError> {
        let outer = (Self::vec_len(x), Self::vec_len(y));
        validate::same_shape("ger", Self::mat_shape(a), outer)?;
        Self::ger_unchecked(a, alpha, x, y, beta);
        Ok(())
    }

    // ----- provided: structure -----

    /// `Aᵀ` (no conjugation).
    fn mat_transpose(a: &Self::Matrix) -> Self::Matrix {
        let (r, c) = Self::mat_shape(a);
        Self::mat_from_fn(c, r, |i, j| Self::mat_get(a, j, i))
    }
    /// `Aᴴ`, the conjugate transpose (equals `Aᵀ` for reals).
    fn mat_adjoint(a: &Self::Matrix) -> Self::Matrix {
        let (r, c) = Self::mat_shape(a);
        Self::mat_from_fn(c, r, |i, j| Self::mat_get(a, j, i).conj())
    }
    /// Row `i` as a vector.
    ///
    /// # Errors
    /// [`LinalgError::OutOfBounds`] when `i >= rows`.
    fn mat_row(a: &Self::Matrix, i: usize) -> Result<Self::Vector, LinalgError> {
        let (r, c) = Self::mat_shape(a);
        validate::range("mat_row", &(i..i + 1), r)?;
        Ok(Self::vec_from_fn(c, |j| Self::mat_get(a, i, j)))
    }
    /// Column `j` as a vector.
    ///
    /// # Errors
    /// [`LinalgError::OutOfBounds`] when `j >= cols`.
    fn mat_col(a: &Self::Matrix, j: usize) -> Result<Self::Vector, LinalgError> {
        let (r, c) = Self::mat_shape(a);
        validate::range("mat_col", &(j..j + 1), c)?;
        Ok(Self::vec_from_fn(r, |i| Self::mat_get(a, i, j)))
    }
    /// The rows `rows` of `A` (all columns), copied.
    ///
    /// # Errors
    /// [`LinalgError::OutOfBounds`] when the range reaches past the last row.
    fn mat_rows(a: &Self::Matrix, rows: Range<usize>) -> Result<Self::Matrix, LinalgError> {
        let (r, c) = Self::mat_shape(a);
        validate::range("mat_rows", &rows, r)?;
        Ok(Self::mat_from_fn(rows.len(), c, |i, j| {
            Self::mat_get(a, rows.start + i, j)
        }))
    }
    /// The columns `cols` of `A` (all rows), copied.
    ///
    /// # Errors
    /// [`LinalgError::OutOfBounds`] when the range reaches past the last column.
    fn mat_cols(a: &Self::Matrix, cols: Range<usize>) -> Result<Self::Matrix, LinalgError> {
        let (r, c) = Self::mat_shape(a);
        validate::range("mat_cols", &cols, c)?;
        Ok(Self::mat_from_fn(r, cols.len(), |i, j| {
            Self::mat_get(a, i, cols.start + j)
        }))
    }
    /// The entries `range` of `v`, copied.
    ///
    /// # Errors
    /// [`LinalgError::OutOfBounds`] when the range reaches past the end.
    fn vec_slice(v: &Self::Vector, range: Range<usize>) -> Result<Self::Vector, LinalgError> {
        validate::range("vec_slice", &range, Self::vec_len(v))?;
        Ok(Self::vec_from_fn(range.len(), |i| {
            Self::vec_get(v, range.start + i)
        }))
    }
    /// `a` followed by `b`.
    fn vec_concat(a: &Self::Vector, b: &Self::Vector) -> Self::Vector {
        let na = Self::vec_len(a);
        Self::vec_from_fn(na + Self::vec_len(b), |i| {
            if i < na {
                Self::vec_get(a, i)
            } else {
                Self::vec_get(b, i - na)
            }
        })
    }
    /// Horizontal concatenation `[A B]` (hmatrix's `|||`).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the row counts differ.
    fn mat_hcat(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        let (ra, ca) = Self::mat_shape(a);
        let (rb, cb) = Self::mat_shape(b);
        if ra != rb {
            return Err(LinalgError::ShapeMismatch {
                op: "mat_hcat",
                expected: format!("{ra} rows, like the left operand"),
                found: format!("{rb} rows"),
            });
        }
        Ok(Self::mat_from_fn(ra, ca + cb, |i, j| {
            if j < ca {
                Self::mat_get(a, i, j)
            } else {
                Self::mat_get(b, i, j - ca)
            }
        }))
    }
    /// Vertical concatenation `[A; B]` (hmatrix's `===`).
    ///
    /// # Errors
    /// [`LinalgError::ShapeMismatch`] when the column counts differ.
    fn mat_vcat(a: &Self::Matrix, b: &Self::Matrix) -> Result<Self::Matrix, LinalgError> {
        let (ra, ca) = Self::mat_shape(a);
        let (rb, cb) = Self::mat_shape(b);
        if ca != cb {
            return Err(LinalgError::ShapeMismatch {
                op: "mat_vcat",
                expected: format!("{ca} columns, like the upper operand"),
                found: format!("{cb} columns"),
            });
        }
        Ok(Self::mat_from_fn(ra + rb, ca, |i, j| {
            if i < ra {
                Self::mat_get(a, i, j)
            } else {
                Self::mat_get(b, i - ra, j)
            }
        }))
    }
    /// The square diagonal matrix with `v` on its diagonal.
    fn mat_from_diag(v: &Self::Vector) -> Self::Matrix {
        let n = Self::vec_len(v);
        Self::mat_from_fn(n, n, |i, j| {
            if i == j {
                Self::vec_get(v, i)
            } else {
                T::zero()
            }
        })
    }
    /// The main diagonal, of length `min(rows, cols)`.
    fn mat_diag(a: &Self::Matrix) -> Self::Vector {
        let (r, c) = Self::mat_shape(a);
        Self::vec_from_fn(r.min(c), |i| Self::mat_get(a, i, i))
    }
    /// True when every entry is finite (no NaN, no infinity).
    fn mat_is_finite(a: &Self::Matrix) -> bool {
        Self::mat_fold(a, true, |ok, x| ok && x.finite())
    }
    /// True when every entry is finite.
    fn vec_is_finite(v: &Self::Vector) -> bool {
        Self::vec_fold(v, true, |ok, x| ok && x.finite())
    }
}

/// `max(a, b)` that propagates NaN from either side (so a NaN entry is never hidden by a norm).
fn max_nan<R: RealScalar>(a: R, b: R) -> R {
    if a.is_nan() || b.is_nan() {
        R::nan()
    } else if b > a {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests;
