//! Zero-copy faer views of ndarray arrays: the route by which this backend multiplies and
//! decomposes.
//!
//! A standard-layout (row-major, contiguous) array becomes a faer view with
//! `MatRef::from_row_major_slice` on its `as_slice()`, a Fortran-layout one with
//! `MatRef::from_column_major_slice`; only arrays with any other strides (slices with steps,
//! inverted axes) are copied first. The safe faer constructors check the slice length, so no
//! `unsafe` is needed.

use faer::{ColMut, ColRef, Mat, MatMut, MatRef};
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2};

/// Runs `f` on a faer view of `a` (copying only when `a` is neither C- nor F-contiguous).
pub fn with_mat_ref<T: Clone, R>(a: &ArrayRef2<T>, f: impl FnOnce(MatRef<'_, T>) -> R) -> R {
    let (r, c) = a.dim();
    if let Some(s) = a.as_slice() {
        f(MatRef::from_row_major_slice(s, r, c))
    } else if let (true, Some(s)) = (a.t().is_standard_layout(), a.as_slice_memory_order()) {
        f(MatRef::from_column_major_slice(s, r, c))
    } else {
        let owned = a.as_standard_layout();
        let s = owned
            .as_slice()
            .expect("as_standard_layout gives a contiguous array");
        f(MatRef::from_row_major_slice(s, r, c))
    }
}

/// Runs `f` on a mutable faer view of `a`; for a non-contiguous `a`, on a temporary copy that is
/// written back afterwards.
pub fn with_mat_mut<T: Copy, R>(a: &mut Array2<T>, f: impl FnOnce(MatMut<'_, T>) -> R) -> R {
    let (r, c) = a.dim();
    if a.is_standard_layout() {
        let s = a.as_slice_mut().expect("standard layout is contiguous");
        f(MatMut::from_row_major_slice_mut(s, r, c))
    } else if a.t().is_standard_layout() {
        let s = a
            .as_slice_memory_order_mut()
            .expect("Fortran layout is contiguous");
        f(MatMut::from_column_major_slice_mut(s, r, c))
    } else {
        let mut tmp: Vec<T> = a.iter().copied().collect();
        let out = f(MatMut::from_row_major_slice_mut(&mut tmp, r, c));
        for (dst, src) in a.iter_mut().zip(tmp) {
            *dst = src;
        }
        out
    }
}

/// Runs `f` on a faer column view of `v` (copying only when `v` is not contiguous).
pub fn with_col_ref<T: Clone, R>(v: &ArrayRef1<T>, f: impl FnOnce(ColRef<'_, T>) -> R) -> R {
    if let Some(s) = v.as_slice() {
        f(ColRef::from_slice(s))
    } else {
        let owned: Vec<T> = v.iter().cloned().collect();
        f(ColRef::from_slice(&owned))
    }
}

/// Runs `f` on a mutable faer column view of `v`.
pub fn with_col_mut<T: Copy, R>(v: &mut Array1<T>, f: impl FnOnce(ColMut<'_, T>) -> R) -> R {
    if let Some(s) = v.as_slice_mut() {
        return f(ColMut::from_slice_mut(s));
    }
    let mut tmp: Vec<T> = v.iter().copied().collect();
    let out = f(ColMut::from_slice_mut(&mut tmp));
    for (dst, src) in v.iter_mut().zip(tmp) {
        *dst = src;
    }
    out
}

/// Copies a faer matrix into a standard-layout array.
#[must_use]
pub fn array_from_faer<T: Copy>(m: MatRef<'_, T>) -> Array2<T> {
    Array2::from_shape_fn(m.shape(), |(i, j)| m[(i, j)])
}

/// Copies a faer matrix (owned) into a standard-layout array.
#[must_use]
pub fn array_from_mat<T: Copy>(m: &Mat<T>) -> Array2<T> {
    array_from_faer(m.as_ref())
}
