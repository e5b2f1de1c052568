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

/// The alignment, in bytes, that faer's row-major matrix-vector kernel wants of the vector it
/// reads: the width of an AVX register. Reading `x` 16 bytes off it, that kernel ran 12 % (a
/// 300×784 GEMV) to 25 % (100×300) slower on this project's machine; an ndarray vector lies
/// wherever the allocator put it, 16-byte aligned.
pub const READ_ALIGN: usize = 32;

/// Below this many matrix entries a GEMV is too short to pay for an aligned copy of its vector.
pub const ALIGNED_GEMV_ENTRIES: usize = 16 * 1024;

/// Runs `f` on a faer column view of `v` that starts on a [`READ_ALIGN`] boundary: `v`'s own
/// storage when it does, else an aligned copy.
pub fn with_aligned_col_ref<T: Copy, R>(v: &ArrayRef1<T>, f: impl FnOnce(ColRef<'_, T>) -> R) -> R {
    if let Some(s) = v.as_slice() {
        if s.is_empty() || s.as_ptr().align_offset(READ_ALIGN) == 0 {
            return f(ColRef::from_slice(s));
        }
    }
    let extra = READ_ALIGN / size_of::<T>().max(1);
    let mut copy: Vec<T> = Vec::with_capacity(v.len() + extra);
    // Elements to skip so that the vector starts aligned (`min`: a type whose size does not
    // divide the alignment can only be read where it lies).
    let skip = copy.as_ptr().align_offset(READ_ALIGN).min(extra);
    if let Some(&first) = v.first() {
        copy.resize(skip, first);
    }
    match v.as_slice() {
        Some(s) => copy.extend_from_slice(s),
        None => copy.extend(v.iter().copied()),
    }
    f(ColRef::from_slice(&copy[skip.min(copy.len())..]))
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

#[cfg(test)]
mod tests {
    use backprop_backend::{LinalgBackend, Transpose};
    use ndarray::{Array1, Array2, ArrayView1, ShapeBuilder};

    use super::{ALIGNED_GEMV_ENTRIES, READ_ALIGN, with_aligned_col_ref};
    use crate::Ndarray;

    #[test]
    fn aligned_views_start_aligned_and_read_the_same_entries() {
        let data: Vec<f64> = (0..40).map(|k| f64::from(k) * 1.5 - 7.0).collect();
        // Every start within a 32-byte window, so that both the aligned and the unaligned
        // case occur, and a strided view, which has no slice.
        let strided = ArrayView1::from_shape(14.strides(3), &data).unwrap();
        let views: Vec<ArrayView1<'_, f64>> = (0..8)
            .map(|start| ArrayView1::from(&data[start..]))
            .chain([strided, ArrayView1::from(&data[..0])])
            .collect();
        for v in &views {
            with_aligned_col_ref(v, |col| {
                assert_eq!(col.nrows(), v.len());
                if col.nrows() > 0 {
                    assert_eq!(col.as_ptr().addr() % READ_ALIGN, 0);
                }
                for (i, x) in v.iter().enumerate() {
                    assert_eq!(col[i], *x);
                }
            });
        }
    }

    /// A GEMV large enough to align its vector, at every start of the vector within a 32-byte
    /// window, against the sums written out.
    #[test]
    fn large_gemv_is_exact_wherever_its_vector_lies() {
        let (m, n) = (130, 131);
        assert!(m * n >= ALIGNED_GEMV_ENTRIES);
        let a = Array2::from_shape_fn((m, n), |(i, j)| ((3 * i + 7 * j) % 11) as f64 - 5.0);
        let data: Vec<f64> = (0..n + 4).map(|k| ((5 * k) % 13) as f64 - 6.0).collect();
        for start in 0..4 {
            let x = Array1::from(data[start..start + n].to_vec());
            let mut y = Array1::from_elem(m, 1.0);
            <Ndarray>::gemv(&mut y, 2.0, &a, Transpose::No, &x, 0.5).unwrap();
            for i in 0..m {
                let dot: f64 = (0..n).map(|j| a[[i, j]] * x[j]).sum();
                assert_eq!(y[i], 2.0 * dot + 0.5, "row {i}, start {start}");
            }
        }
    }
}
