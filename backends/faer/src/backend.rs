//! `LinalgBackend` for [`Faer`]: storage is `faer::Mat` / `faer::Col`, products are faer's GEMM.

use backprop_backend::{LinalgBackend, RealScalar, Transpose};
use faer::{Col, Mat};

use crate::Faer;
use crate::kernels::FaerScalar;

impl<P: RealScalar, T: FaerScalar> LinalgBackend<T> for Faer<P> {
    type Vector = Col<T>;
    type Matrix = Mat<T>;
    const NAME: &'static str = "faer";

    fn vec_from_fn(n: usize, f: impl FnMut(usize) -> T) -> Col<T> {
        Col::from_fn(n, f)
    }
    fn vec_len(v: &Col<T>) -> usize {
        v.nrows()
    }
    #[track_caller]
    fn vec_get(v: &Col<T>, i: usize) -> T {
        v[i]
    }
    #[track_caller]
    fn vec_set(v: &mut Col<T>, i: usize, x: T) {
        v[i] = x;
    }
    fn mat_from_fn(rows: usize, cols: usize, f: impl FnMut(usize, usize) -> T) -> Mat<T> {
        Mat::from_fn(rows, cols, f)
    }
    fn mat_shape(a: &Mat<T>) -> (usize, usize) {
        a.shape()
    }
    #[track_caller]
    fn mat_get(a: &Mat<T>, i: usize, j: usize) -> T {
        a[(i, j)]
    }
    #[track_caller]
    fn mat_set(a: &mut Mat<T>, i: usize, j: usize, x: T) {
        a[(i, j)] = x;
    }

    fn vec_map(v: &Col<T>, mut f: impl FnMut(T) -> T) -> Col<T> {
        let s = col_slice(v);
        Col::from_fn(s.len(), |i| f(s[i]))
    }
    fn vec_map_mut(v: &mut Col<T>, mut f: impl FnMut(T) -> T) {
        for x in col_slice_mut(v) {
            *x = f(*x);
        }
    }
    fn vec_fold<A>(v: &Col<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        v.iter().copied().fold(init, f)
    }
    fn mat_map(a: &Mat<T>, f: impl FnMut(T) -> T) -> Mat<T> {
        let mut out = a.clone();
        Self::mat_map_mut(&mut out, f);
        out
    }
    fn mat_map_mut(a: &mut Mat<T>, mut f: impl FnMut(T) -> T) {
        for j in 0..a.ncols() {
            for x in a.col_as_slice_mut(j) {
                *x = f(*x);
            }
        }
    }
    fn mat_fold<A>(a: &Mat<T>, init: A, mut f: impl FnMut(A, T) -> A) -> A {
        let mut acc = init;
        for j in 0..a.ncols() {
            for &x in a.col(j).iter() {
                acc = f(acc, x);
            }
        }
        acc
    }

    // Hooks: the shapes are checked by the provided methods that call them.

    fn vec_zip_apply_unchecked(a: &mut Col<T>, b: &Col<T>, f: impl FnMut(T, T) -> T) {
        zip_slices(col_slice_mut(a), col_slice(b), f);
    }
    fn mat_zip_apply_unchecked(a: &mut Mat<T>, b: &Mat<T>, mut f: impl FnMut(T, T) -> T) {
        for j in 0..b.ncols() {
            zip_slices(a.col_as_slice_mut(j), b.col_as_slice(j), &mut f);
        }
    }
    fn gemm_unchecked(
        c: &mut Mat<T>,
        alpha: T,
        a: &Mat<T>,
        ta: Transpose,
        b: &Mat<T>,
        tb: Transpose,
        beta: T,
    ) {
        T::gemm(c.as_mut(), alpha, a.as_ref(), ta, b.as_ref(), tb, beta);
    }
    fn gemv_unchecked(y: &mut Col<T>, alpha: T, a: &Mat<T>, ta: Transpose, x: &Col<T>, beta: T) {
        T::gemm(
            y.as_mat_mut(),
            alpha,
            a.as_ref(),
            ta,
            x.as_mat(),
            Transpose::No,
            beta,
        );
    }

    // Faster library forms of optional hooks and provided methods.

    fn vec_axpy_unchecked(y: &mut Col<T>, alpha: T, x: &Col<T>) {
        for (yi, &xi) in y.iter_mut().zip(x.iter()) {
            *yi += alpha * xi;
        }
    }
    fn mat_axpy_unchecked(y: &mut Mat<T>, alpha: T, x: &Mat<T>) {
        for j in 0..x.ncols() {
            for (yi, &xi) in y.col_mut(j).iter_mut().zip(x.col(j).iter()) {
                *yi += alpha * xi;
            }
        }
    }
    fn vec_copy_from_unchecked(dst: &mut Col<T>, src: &Col<T>) {
        col_slice_mut(dst).copy_from_slice(col_slice(src));
    }
    fn mat_copy_from_unchecked(dst: &mut Mat<T>, src: &Mat<T>) {
        for j in 0..src.ncols() {
            dst.col_as_slice_mut(j).copy_from_slice(src.col_as_slice(j));
        }
    }
    fn mat_transpose(a: &Mat<T>) -> Mat<T> {
        a.transpose().to_owned()
    }
    fn ger_unchecked(a: &mut Mat<T>, alpha: T, x: &Col<T>, y: &Col<T>, beta: T) {
        // A rank-one GEMM: vectorised, unlike an entry-by-entry loop.
        T::gemm(
            a.as_mut(),
            alpha,
            x.as_mat(),
            Transpose::No,
            y.as_mat(),
            Transpose::Yes,
            beta,
        );
    }
}

// Element-wise loops run over contiguous slices (an owned `Col`, and each column of an owned
// `Mat`, is contiguous), which the compiler vectorises; indexing entry by entry does not.

fn col_slice<T>(v: &Col<T>) -> &[T] {
    v.try_as_col_major()
        .expect("an owned faer column is contiguous")
        .as_slice()
}

fn col_slice_mut<T>(v: &mut Col<T>) -> &mut [T] {
    v.try_as_col_major_mut()
        .expect("an owned faer column is contiguous")
        .as_slice_mut()
}

/// `aᵢ ← f(aᵢ, bᵢ)` over two slices of the same length.
fn zip_slices<T: Copy>(a: &mut [T], b: &[T], mut f: impl FnMut(T, T) -> T) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x = f(*x, y);
    }
}
