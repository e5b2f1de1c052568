//! `LinalgBackend` for [`Nalgebra`]: storage is `DMatrix` / `DVector`, products are nalgebra's
//! BLAS-style `gemm`/`gemv` and their
//! transposed-left forms `gemm_tr`/`gemm_ad`/`gemv_tr`/`gemv_ad`.

use backprop_backend::{LinalgBackend, RealScalar, Transpose};
use nalgebra::{DMatrix, DVector};

use crate::Nalgebra;
use crate::kernels::NalgebraScalar;

impl<P: RealScalar, T: NalgebraScalar> LinalgBackend<T> for Nalgebra<P> {
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
    fn mat_from_fn(rows: usize, cols: usize, f: impl FnMut(usize, usize) -> T) -> DMatrix<T> {
        DMatrix::from_fn(rows, cols, f)
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
    fn vec_fold<A>(v: &DVector<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        v.iter().copied().fold(init, f)
    }
    fn mat_map(a: &DMatrix<T>, f: impl FnMut(T) -> T) -> DMatrix<T> {
        a.map(f)
    }
    fn mat_map_mut(a: &mut DMatrix<T>, mut f: impl FnMut(T) -> T) {
        a.apply(|x| *x = f(*x));
    }
    fn mat_fold<A>(a: &DMatrix<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        a.iter().copied().fold(init, f)
    }

    // Hooks: the shapes are checked by the provided methods that call them.

    fn vec_zip_apply_unchecked(a: &mut DVector<T>, b: &DVector<T>, mut f: impl FnMut(T, T) -> T) {
        a.zip_apply(b, |x, y| *x = f(*x, y));
    }
    fn mat_zip_apply_unchecked(a: &mut DMatrix<T>, b: &DMatrix<T>, mut f: impl FnMut(T, T) -> T) {
        a.zip_apply(b, |x, y| *x = f(*x, y));
    }
    fn gemm_unchecked(
        c: &mut DMatrix<T>,
        alpha: T,
        a: &DMatrix<T>,
        ta: Transpose,
        b: &DMatrix<T>,
        tb: Transpose,
        beta: T,
    ) {
        T::gemm(c, alpha, a, ta, b, tb, beta);
    }
    fn gemv_unchecked(
        y: &mut DVector<T>,
        alpha: T,
        a: &DMatrix<T>,
        ta: Transpose,
        x: &DVector<T>,
        beta: T,
    ) {
        T::gemv(y, alpha, a, ta, x, beta);
    }

    // Faster library forms of optional hooks and provided methods.

    fn vec_zip_map_unchecked(
        a: &DVector<T>,
        b: &DVector<T>,
        f: impl FnMut(T, T) -> T,
    ) -> DVector<T> {
        a.zip_map(b, f)
    }
    fn mat_zip_map_unchecked(
        a: &DMatrix<T>,
        b: &DMatrix<T>,
        f: impl FnMut(T, T) -> T,
    ) -> DMatrix<T> {
        a.zip_map(b, f)
    }
    fn vec_axpy_unchecked(y: &mut DVector<T>, alpha: T, x: &DVector<T>) {
        y.axpy(alpha, x, T::one());
    }
    fn vec_copy_from_unchecked(dst: &mut DVector<T>, src: &DVector<T>) {
        dst.copy_from(src);
    }
    fn mat_copy_from_unchecked(dst: &mut DMatrix<T>, src: &DMatrix<T>) {
        dst.copy_from(src);
    }
    fn mat_transpose(a: &DMatrix<T>) -> DMatrix<T> {
        a.transpose()
    }
    fn ger_unchecked(a: &mut DMatrix<T>, alpha: T, x: &DVector<T>, y: &DVector<T>, beta: T) {
        // nalgebra's `ger` does not read `a` when `beta` is zero.
        a.ger(alpha, x, y, beta);
    }
}
