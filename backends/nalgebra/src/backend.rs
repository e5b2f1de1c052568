//! `LinalgBackend` for [`Nalgebra`]: storage is `DMatrix` / `DVector`, products are nalgebra's
//! BLAS-style `gemm`/`gemv`.

use backprop_backend::{LinalgBackend, LinalgError, Scalar, Transpose, validate};
use nalgebra::{ComplexField, DMatrix, DMatrixView, DVector, Dyn};

use crate::Nalgebra;

/// Runs `f` with `op(A)` as a nalgebra view. Transposes are zero-copy strided views of the
/// column-major buffer; only the conjugate transpose of a *complex* matrix is materialised,
/// because a view cannot conjugate.
fn with_op<T: Scalar + ComplexField, R>(
    a: &DMatrix<T>,
    t: Transpose,
    f: impl FnOnce(StridedView<'_, T>) -> R,
) -> R {
    let (r, c) = a.shape();
    match t {
        Transpose::No => f(StridedView::from_slice_with_strides(a.as_slice(), r, c, 1, r.max(1))),
        Transpose::Adjoint if T::IS_COMPLEX => {
            let adj = a.adjoint();
            f(StridedView::from_slice_with_strides(adj.as_slice(), c, r, 1, c.max(1)))
        }
        Transpose::Yes | Transpose::Adjoint => {
            f(StridedView::from_slice_with_strides(a.as_slice(), c, r, r.max(1), 1))
        }
    }
}

/// A dynamic view with run-time row and column strides.
type StridedView<'a, T> = DMatrixView<'a, T, Dyn, Dyn>;

impl<T: Scalar + ComplexField> LinalgBackend<T> for Nalgebra {
    type Vector = DVector<T>;
    type Matrix = DMatrix<T>;
    const NAME: &'static str = "nalgebra";

    fn vec_from_fn(n: usize, mut f: impl FnMut(usize) -> T) -> DVector<T> {
        DVector::from_fn(n, |i, _| f(i))
    }
    fn vec_len(v: &DVector<T>) -> usize {
        v.len()
    }
    #[track_caller]
    fn vec_get(v: &DVector<T>, i: usize) -> T {
        v[i]
    }
    #[track_caller]
    fn vec_set(v: &mut DVector<T>, i: usize, x: T) {
        v[i] = x;
    }
    fn mat_from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> T) -> DMatrix<T> {
        DMatrix::from_fn(rows, cols, |i, j| f(i, j))
    }
    fn mat_shape(a: &DMatrix<T>) -> (usize, usize) {
        a.shape()
    }
    #[track_caller]
    fn mat_get(a: &DMatrix<T>, i: usize, j: usize) -> T {
        a[(i, j)]
    }
    #[track_caller]
    fn mat_set(a: &mut DMatrix<T>, i: usize, j: usize, x: T) {
        a[(i, j)] = x;
    }

    fn vec_map(v: &DVector<T>, f: impl FnMut(T) -> T) -> DVector<T> {
        v.map(f)
    }
    fn vec_map_mut(v: &mut DVector<T>, mut f: impl FnMut(T) -> T) {
        v.apply(|x| *x = f(*x));
    }
    fn vec_zip_map(a: &DVector<T>, b: &DVector<T>, f: impl FnMut(T, T) -> T) -> Result<DVector<T>, LinalgError> {
        validate::same_len("vec_zip_map", a.len(), b.len())?;
        Ok(a.zip_map(b, f))
    }
    fn vec_fold<A>(v: &DVector<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        v.iter().copied().fold(init, f)
    }
    fn mat_map(a: &DMatrix<T>, f: impl FnMut(T) -> T) -> DMatrix<T> {
        a.map(f)
    }
    fn mat_map_mut(a: &mut DMatrix<T>, mut f: impl FnMut(T) -> T) {
        a.apply(|x| *x = f(*x));
    }
    fn mat_zip_map(a: &DMatrix<T>, b: &DMatrix<T>, f: impl FnMut(T, T) -> T) -> Result<DMatrix<T>, LinalgError> {
        validate::same_shape("mat_zip_map", a.shape(), b.shape())?;
        Ok(a.zip_map(b, f))
    }
    fn mat_fold<A>(a: &DMatrix<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        a.iter().copied().fold(init, f)
    }

    fn gemm(
        c: &mut DMatrix<T>,
        alpha: T,
        a: &DMatrix<T>,
        ta: Transpose,
        b: &DMatrix<T>,
        tb: Transpose,
        beta: T,
    ) -> Result<(), LinalgError> {
        validate::gemm_shapes("gemm", c.shape(), a.shape(), ta, b.shape(), tb)?;
        if beta == T::zero() {
            // BLAS semantics: with beta = 0 the old contents (NaN included) must not leak in.
            c.fill(T::zero());
        }
        with_op(a, ta, |av| with_op(b, tb, |bv| c.gemm(alpha, &av, &bv, beta)));
        Ok(())
    }
    fn gemv(
        y: &mut DVector<T>,
        alpha: T,
        a: &DMatrix<T>,
        ta: Transpose,
        x: &DVector<T>,
        beta: T,
    ) -> Result<(), LinalgError> {
        validate::gemv_shapes("gemv", y.len(), a.shape(), ta, x.len())?;
        if beta == T::zero() {
            y.fill(T::zero());
        }
        with_op(a, ta, |av| y.gemv(alpha, &av, x, beta));
        Ok(())
    }

    // Faster library forms of provided methods.

    fn vec_axpy(y: &mut DVector<T>, alpha: T, x: &DVector<T>) -> Result<(), LinalgError> {
        validate::same_len("vec_axpy", y.len(), x.len())?;
        y.axpy(alpha, x, T::one());
        Ok(())
    }
    fn mat_axpy(y: &mut DMatrix<T>, alpha: T, x: &DMatrix<T>) -> Result<(), LinalgError> {
        validate::same_shape("mat_axpy", y.shape(), x.shape())?;
        y.zip_apply(x, |yi, xi| *yi += alpha * xi);
        Ok(())
    }
    fn mat_transpose(a: &DMatrix<T>) -> DMatrix<T> {
        a.transpose()
    }
    fn ger(a: &mut DMatrix<T>, alpha: T, x: &DVector<T>, y: &DVector<T>) -> Result<(), LinalgError> {
        validate::same_shape("ger", a.shape(), (x.len(), y.len()))?;
        a.ger(alpha, x, y, T::one());
        Ok(())
    }
}
