//! `LinalgBackend` for [`Ndarray`]: storage is `Array2` / `Array1`; products are faer's GEMM on
//! zero-copy views.
//!
//! # Why products go through faer
//! ndarray's own `.dot`/`general_mat_mul` call the `matrixmultiply` crate, whose AVX-512 kernels
//! are off by default: measured on this project's reference machine (Zen 5, AVX-512) it reaches
//! about 53 GFLOP/s in f64 against about 120 for faer's kernel. Viewing the arrays as faer
//! matrices costs nothing for contiguous arrays (see [`crate::views`]), so GEMM and GEMV are
//! routed through faer and the ndarray backend does not leave half the machine unused.

use backprop_backend::{LinalgBackend, RealScalar, Transpose};
use backprop_faer::kernels::FaerScalar;
use faer::ColRef;
use ndarray::{Array, Array1, Array2, Dimension, Zip};

use crate::Ndarray;
use crate::views::{
    ALIGNED_GEMV_ENTRIES, with_aligned_col_ref, with_col_mut, with_col_ref, with_mat_mut,
    with_mat_ref,
};

impl<P: RealScalar, T: FaerScalar> LinalgBackend<T> for Ndarray<P> {
    type Vector = Array1<T>;
    type Matrix = Array2<T>;
    const NAME: &'static str = "ndarray";

    fn vec_from_fn(n: usize, f: impl FnMut(usize) -> T) -> Array1<T> {
        Array1::from_shape_fn(n, f)
    }
    fn vec_len(v: &Array1<T>) -> usize {
        v.len()
    }
    #[track_caller]
    fn vec_get(v: &Array1<T>, i: usize) -> T {
        v[i]
    }
    #[track_caller]
    fn vec_set(v: &mut Array1<T>, i: usize, x: T) {
        v[i] = x;
    }
    fn mat_from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> T) -> Array2<T> {
        Array2::from_shape_fn((rows, cols), |(i, j)| f(i, j))
    }
    fn mat_shape(a: &Array2<T>) -> (usize, usize) {
        a.dim()
    }
    #[track_caller]
    fn mat_get(a: &Array2<T>, i: usize, j: usize) -> T {
        a[[i, j]]
    }
    #[track_caller]
    fn mat_set(a: &mut Array2<T>, i: usize, j: usize, x: T) {
        a[[i, j]] = x;
    }

    fn vec_map(v: &Array1<T>, f: impl FnMut(T) -> T) -> Array1<T> {
        v.mapv(f)
    }
    fn vec_map_mut(v: &mut Array1<T>, f: impl FnMut(T) -> T) {
        v.mapv_inplace(f);
    }
    fn vec_fold<A>(v: &Array1<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        v.iter().copied().fold(init, f)
    }
    fn mat_map(a: &Array2<T>, f: impl FnMut(T) -> T) -> Array2<T> {
        a.mapv(f)
    }
    fn mat_map_mut(a: &mut Array2<T>, f: impl FnMut(T) -> T) {
        a.mapv_inplace(f);
    }
    fn mat_fold<A>(a: &Array2<T>, init: A, f: impl FnMut(A, T) -> A) -> A {
        a.iter().copied().fold(init, f)
    }

    // Hooks: the shapes are checked by the provided methods that call them.

    fn vec_zip_apply_unchecked(a: &mut Array1<T>, b: &Array1<T>, f: impl FnMut(T, T) -> T) {
        zip_apply(a, b, f);
    }
    fn mat_zip_apply_unchecked(a: &mut Array2<T>, b: &Array2<T>, f: impl FnMut(T, T) -> T) {
        zip_apply(a, b, f);
    }
    fn gemm_unchecked(
        c: &mut Array2<T>,
        alpha: T,
        a: &Array2<T>,
        ta: Transpose,
        b: &Array2<T>,
        tb: Transpose,
        beta: T,
    ) {
        with_mat_ref(a, |av| {
            with_mat_ref(b, |bv| {
                with_mat_mut(c, |cv| T::gemm(cv, alpha, av, ta, bv, tb, beta))
            })
        });
    }
    fn gemv_unchecked(
        y: &mut Array1<T>,
        alpha: T,
        a: &Array2<T>,
        ta: Transpose,
        x: &Array1<T>,
        beta: T,
    ) {
        let product = |xv: ColRef<'_, T>| {
            with_mat_ref(a, |av| {
                with_col_mut(y, |yv| {
                    T::gemm(
                        yv.as_mat_mut(),
                        alpha,
                        av,
                        ta,
                        xv.as_mat(),
                        Transpose::No,
                        beta,
                    )
                })
            })
        };
        // A row-major `A·x` reads `x` once per row: align it (see `with_aligned_col_ref`).
        if ta == Transpose::No && a.is_standard_layout() && a.len() >= ALIGNED_GEMV_ENTRIES {
            with_aligned_col_ref(x, product);
        } else {
            with_col_ref(x, product);
        }
    }

    // Faster library forms of optional hooks and provided methods (`vec_axpy` and `mat_axpy`
    // are the defaults: `zip_apply` through the hooks above).

    fn vec_copy_from_unchecked(dst: &mut Array1<T>, src: &Array1<T>) {
        copy_from(dst, src);
    }
    fn mat_copy_from_unchecked(dst: &mut Array2<T>, src: &Array2<T>) {
        copy_from(dst, src);
    }
    fn ger_unchecked(a: &mut Array2<T>, alpha: T, x: &Array1<T>, y: &Array1<T>, beta: T) {
        // A rank-one GEMM on views, like the products above.
        with_col_ref(x, |xv| {
            with_col_ref(y, |yv| {
                with_mat_mut(a, |av| {
                    T::gemm(
                        av,
                        alpha,
                        xv.as_mat(),
                        Transpose::No,
                        yv.as_mat(),
                        Transpose::Yes,
                        beta,
                    )
                })
            })
        });
    }
    fn mat_transpose(a: &Array2<T>) -> Array2<T> {
        a.t().as_standard_layout().into_owned()
    }
}

/// The buffers of two arrays of the same shape as slices in which element `k` of one is element
/// `k` of the other: when both are contiguous with the same strides.
fn as_slices<'a, T, D: Dimension>(
    a: &'a mut Array<T, D>,
    b: &'a Array<T, D>,
) -> Option<(&'a mut [T], &'a [T])> {
    if a.strides() != b.strides() {
        return None;
    }
    a.as_slice_memory_order_mut().zip(b.as_slice_memory_order())
}

/// `aᵢ ← f(aᵢ, bᵢ)` over two arrays of the same shape. Over [`as_slices`] when it can: a plain
/// loop the compiler unrolls, where `Zip` steps through an index per element (measured: about
/// 40 % more instructions for a 300-entry logistic). Otherwise, `Zip`.
fn zip_apply<T: Copy, D: Dimension>(
    a: &mut Array<T, D>,
    b: &Array<T, D>,
    mut f: impl FnMut(T, T) -> T,
) {
    match as_slices(a, b) {
        Some((sa, sb)) => {
            for (x, &y) in sa.iter_mut().zip(sb) {
                *x = f(*x, y);
            }
        }
        None => Zip::from(a).and(b).for_each(|x, &y| *x = f(*x, y)),
    }
}

/// `dst ← src` for arrays of the same shape: one `memcpy` over [`as_slices`] when it can, else
/// ndarray's `assign`.
fn copy_from<T: Copy, D: Dimension>(dst: &mut Array<T, D>, src: &Array<T, D>) {
    match as_slices(dst, src) {
        Some((d, s)) => d.copy_from_slice(s),
        None => dst.assign(src),
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, ShapeBuilder};

    use super::{copy_from, zip_apply};

    /// `a − 10·b` entry by entry, the reference for every layout pair.
    fn expected(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        Array2::from_shape_fn(a.dim(), |(i, j)| a[[i, j]] - 10.0 * b[[i, j]])
    }

    #[test]
    fn zip_apply_and_copy_from_pair_entries_by_index_in_every_layout() {
        let entry = |(i, j): (usize, usize)| (7 * i + j) as f64;
        let row_major = Array2::from_shape_fn((3, 4), entry);
        let col_major = Array2::from_shape_fn((3, 4).f(), entry);
        // Every other column of a 3×8 buffer: not contiguous.
        let buffer = (0..24).map(|k| entry((k / 8, k % 8 / 2)) + 0.5).collect();
        let strided = Array2::from_shape_vec((3, 4).strides((8, 2)), buffer).unwrap();
        assert!(strided.as_slice_memory_order().is_none());
        let layouts = [&row_major, &col_major, &strided];
        for a in layouts {
            for b in layouts {
                let mut out = a.clone();
                zip_apply(&mut out, b, |x, y| x - 10.0 * y);
                assert_eq!(
                    out,
                    expected(a, b),
                    "a strides {:?}, b strides {:?}",
                    a.strides(),
                    b.strides()
                );
                let mut copy = a.clone();
                copy_from(&mut copy, b);
                assert_eq!(
                    &copy,
                    b,
                    "copy: strides {:?}, {:?}",
                    a.strides(),
                    b.strides()
                );
            }
        }
    }
}
