//! `LinalgBackend` for [`Faer`]: storage is `faer::Mat` / `faer::Col`, products are faer's GEMM.

use backprop_backend::{LinalgBackend, LinalgError, Scalar, Transpose, validate};
use faer::traits::ComplexField;
use faer::{Col, Mat};

use crate::{Faer, kernels};

impl<T: Scalar + ComplexField> LinalgBackend<T> for Faer {
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
    fn vec_zip_map(
        a: &Col<T>,
        b: &Col<T>,
        f: impl FnMut(T, T) -> T,
    ) -> Result<Col<T>, LinalgError> {
        validate::same_len("vec_zip_map", a.nrows(), b.nrows())?;
        let mut out = a.clone();
        zip_slices(col_slice_mut(&mut out), col_slice(b), f);
        Ok(out)
    }
    fn vec_zip_apply(
        a: &mut Col<T>,
        b: &Col<T>,
        f: impl FnMut(T, T) -> T,
    ) -> Result<(), LinalgError> {
        validate::same_len("vec_zip_apply", a.nrows(), b.nrows())?;
        zip_slices(col_slice_mut(a), col_slice(b), f);
        Ok(())
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
    fn mat_zip_map(
        a: &Mat<T>,
        b: &Mat<T>,
        f: impl FnMut(T, T) -> T,
    ) -> Result<Mat<T>, LinalgError> {
        validate::same_shape("mat_zip_map", a.shape(), b.shape())?;
        let mut out = a.clone();
        zip_columns(&mut out, b, f);
        Ok(out)
    }
    fn mat_zip_apply(
        a: &mut Mat<T>,
        b: &Mat<T>,
        f: impl FnMut(T, T) -> T,
    ) -> Result<(), LinalgError> {
        validate::same_shape("mat_zip_apply", a.shape(), b.shape())?;
        zip_columns(a, b, f);
        Ok(())
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

    fn gemm(
        c: &mut Mat<T>,
        alpha: T,
        a: &Mat<T>,
        ta: Transpose,
        b: &Mat<T>,
        tb: Transpose,
        beta: T,
    ) -> Result<(), LinalgError> {
        validate::gemm_shapes("gemm", c.shape(), a.shape(), ta, b.shape(), tb)?;
        kernels::gemm(c.as_mut(), alpha, a.as_ref(), ta, b.as_ref(), tb, beta);
        Ok(())
    }
    fn gemv(
        y: &mut Col<T>,
        alpha: T,
        a: &Mat<T>,
        ta: Transpose,
        x: &Col<T>,
        beta: T,
    ) -> Result<(), LinalgError> {
        validate::gemv_shapes("gemv", y.nrows(), a.shape(), ta, x.nrows())?;
        kernels::gemm(
            y.as_mat_mut(),
            alpha,
            a.as_ref(),
            ta,
            x.as_mat(),
            Transpose::No,
            beta,
        );
        Ok(())
    }

    // Faster library forms of provided methods.

    fn vec_axpy(y: &mut Col<T>, alpha: T, x: &Col<T>) -> Result<(), LinalgError> {
        validate::same_len("vec_axpy", y.nrows(), x.nrows())?;
        for (yi, &xi) in y.iter_mut().zip(x.iter()) {
            *yi += alpha * xi;
        }
        Ok(())
    }
    fn mat_axpy(y: &mut Mat<T>, alpha: T, x: &Mat<T>) -> Result<(), LinalgError> {
        validate::same_shape("mat_axpy", y.shape(), x.shape())?;
        for j in 0..x.ncols() {
            for (yi, &xi) in y.col_mut(j).iter_mut().zip(x.col(j).iter()) {
                *yi += alpha * xi;
            }
        }
        Ok(())
    }
    fn vec_copy_from(dst: &mut Col<T>, src: &Col<T>) -> Result<(), LinalgError> {
        validate::same_len("vec_copy_from", dst.nrows(), src.nrows())?;
        col_slice_mut(dst).copy_from_slice(col_slice(src));
        Ok(())
    }
    fn mat_copy_from(dst: &mut Mat<T>, src: &Mat<T>) -> Result<(), LinalgError> {
        validate::same_shape("mat_copy_from", dst.shape(), src.shape())?;
        for j in 0..src.ncols() {
            dst.col_as_slice_mut(j).copy_from_slice(src.col_as_slice(j));
        }
        Ok(())
    }
    fn mat_transpose(a: &Mat<T>) -> Mat<T> {
        a.transpose().to_owned()
    }
    fn outer(x: &Col<T>, y: &Col<T>) -> Mat<T> {
        // A rank-one GEMM: vectorised, unlike an entry-by-entry fill.
        let mut a = Mat::zeros(x.nrows(), y.nrows());
        kernels::gemm(
            a.as_mut(),
            T::one(),
            x.as_mat(),
            Transpose::No,
            y.as_mat(),
            Transpose::Yes,
            T::zero(),
        );
        a
    }
    fn ger(a: &mut Mat<T>, alpha: T, x: &Col<T>, y: &Col<T>) -> Result<(), LinalgError> {
        validate::same_shape("ger", a.shape(), (x.nrows(), y.nrows()))?;
        kernels::gemm(
            a.as_mut(),
            alpha,
            x.as_mat(),
            Transpose::No,
            y.as_mat(),
            Transpose::Yes,
            T::one(),
        );
        Ok(())
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

/// `aᵢⱼ ← f(aᵢⱼ, bᵢⱼ)`, column by column; the shapes are checked by the caller.
fn zip_columns<T: Copy>(a: &mut Mat<T>, b: &Mat<T>, mut f: impl FnMut(T, T) -> T) {
    for j in 0..b.ncols() {
        zip_slices(a.col_as_slice_mut(j), b.col_as_slice(j), &mut f);
    }
}
